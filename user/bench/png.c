// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The canvas, the font and the PNG writer of png.h.
 *
 * PNG: signature, IHDR, one IDAT holding a zlib stream of stored
 * (uncompressed) deflate blocks of the filtered scanlines (filter 0 on
 * each), IEND.  Each chunk ends in the CRC-32 of its type and data; the
 * zlib stream ends in the Adler-32 of the uncompressed bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "png.h"

/* 5x7 glyphs, one string of 7 rows of 5 pixels each ('#' set). */
static const struct glyph {
	char c;
	const char *rows;
} font[] = {
	{ ' ', "....." "....." "....." "....." "....." "....." "....." },
	{ '0', ".###." "#...#" "#..##" "#.#.#" "##..#" "#...#" ".###." },
	{ '1', "..#.." ".##.." "..#.." "..#.." "..#.." "..#.." ".###." },
	{ '2', ".###." "#...#" "....#" "...#." "..#.." ".#..." "#####" },
	{ '3', "####." "....#" "....#" ".###." "....#" "....#" "####." },
	{ '4', "...#." "..##." ".#.#." "#..#." "#####" "...#." "...#." },
	{ '5', "#####" "#...." "####." "....#" "....#" "#...#" ".###." },
	{ '6', "..##." ".#..." "#...." "####." "#...#" "#...#" ".###." },
	{ '7', "#####" "....#" "...#." "..#.." ".#..." ".#..." ".#..." },
	{ '8', ".###." "#...#" "#...#" ".###." "#...#" "#...#" ".###." },
	{ '9', ".###." "#...#" "#...#" ".####" "....#" "...#." ".##.." },
	{ 'A', ".###." "#...#" "#...#" "#####" "#...#" "#...#" "#...#" },
	{ 'B', "####." "#...#" "#...#" "####." "#...#" "#...#" "####." },
	{ 'C', ".###." "#...#" "#...." "#...." "#...." "#...#" ".###." },
	{ 'D', "###.." "#..#." "#...#" "#...#" "#...#" "#..#." "###.." },
	{ 'E', "#####" "#...." "#...." "####." "#...." "#...." "#####" },
	{ 'F', "#####" "#...." "#...." "####." "#...." "#...." "#...." },
	{ 'G', ".###." "#...#" "#...." "#.###" "#...#" "#...#" ".####" },
	{ 'H', "#...#" "#...#" "#...#" "#####" "#...#" "#...#" "#...#" },
	{ 'I', ".###." "..#.." "..#.." "..#.." "..#.." "..#.." ".###." },
	{ 'J', "..###" "...#." "...#." "...#." "...#." "#..#." ".##.." },
	{ 'K', "#...#" "#..#." "#.#.." "##..." "#.#.." "#..#." "#...#" },
	{ 'L', "#...." "#...." "#...." "#...." "#...." "#...." "#####" },
	{ 'M', "#...#" "##.##" "#.#.#" "#.#.#" "#...#" "#...#" "#...#" },
	{ 'N', "#...#" "#...#" "##..#" "#.#.#" "#..##" "#...#" "#...#" },
	{ 'O', ".###." "#...#" "#...#" "#...#" "#...#" "#...#" ".###." },
	{ 'P', "####." "#...#" "#...#" "####." "#...." "#...." "#...." },
	{ 'Q', ".###." "#...#" "#...#" "#...#" "#.#.#" "#..#." ".##.#" },
	{ 'R', "####." "#...#" "#...#" "####." "#.#.." "#..#." "#...#" },
	{ 'S', ".####" "#...." "#...." ".###." "....#" "....#" "####." },
	{ 'T', "#####" "..#.." "..#.." "..#.." "..#.." "..#.." "..#.." },
	{ 'U', "#...#" "#...#" "#...#" "#...#" "#...#" "#...#" ".###." },
	{ 'V', "#...#" "#...#" "#...#" "#...#" "#...#" ".#.#." "..#.." },
	{ 'W', "#...#" "#...#" "#...#" "#.#.#" "#.#.#" "#.#.#" ".#.#." },
	{ 'X', "#...#" "#...#" ".#.#." "..#.." ".#.#." "#...#" "#...#" },
	{ 'Y', "#...#" "#...#" ".#.#." "..#.." "..#.." "..#.." "..#.." },
	{ 'Z', "#####" "....#" "...#." "..#.." ".#..." "#...." "#####" },
	{ '.', "....." "....." "....." "....." "....." ".##.." ".##.." },
	{ ',', "....." "....." "....." "....." ".##.." "..#.." ".#..." },
	{ ':', "....." ".##.." ".##.." "....." ".##.." ".##.." "....." },
	{ '-', "....." "....." "....." "#####" "....." "....." "....." },
	{ '+', "....." "..#.." "..#.." "#####" "..#.." "..#.." "....." },
	{ '/', "....." "....#" "...#." "..#.." ".#..." "#...." "....." },
	{ '_', "....." "....." "....." "....." "....." "....." "#####" },
	{ '(', "...#." "..#.." ".#..." ".#..." ".#..." "..#.." "...#." },
	{ ')', ".#..." "..#.." "...#." "...#." "...#." "..#.." ".#..." },
	{ '[', ".###." ".#..." ".#..." ".#..." ".#..." ".#..." ".###." },
	{ ']', ".###." "...#." "...#." "...#." "...#." "...#." ".###." },
	{ '=', "....." "....." "#####" "....." "#####" "....." "....." },
	{ '<', "...#." "..#.." ".#..." "#...." ".#..." "..#.." "...#." },
	{ '>', ".#..." "..#.." "...#." "....#" "...#." "..#.." ".#..." },
	{ '%', "##..." "##..#" "...#." "..#.." ".#..." "#..##" "...##" },
	{ '*', "....." "..#.." "#.#.#" ".###." "#.#.#" "..#.." "....." },
	{ '#', ".#.#." ".#.#." "#####" ".#.#." "#####" ".#.#." ".#.#." },
	{ '!', "..#.." "..#.." "..#.." "..#.." "..#.." "....." "..#.." },
	{ '?', ".###." "#...#" "....#" "...#." "..#.." "....." "..#.." },
	{ '\'', "..#.." "..#.." ".#..." "....." "....." "....." "....." },
	{ '"', ".#.#." ".#.#." "....." "....." "....." "....." "....." },
	{ ';', "....." ".##.." ".##.." "....." ".##.." "..#.." ".#..." },
	{ '|', "..#.." "..#.." "..#.." "..#.." "..#.." "..#.." "..#.." },
};

/* Lowercase letters are drawn as capitals; unknown characters as '?'. */
static const char *glyph_rows(char c)
{
	size_t i;

	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	for (i = 0; i < sizeof(font) / sizeof(font[0]); i++)
		if (font[i].c == c)
			return font[i].rows;
	return glyph_rows('?');
}

int canvas_init(struct canvas *c, int w, int h, uint32_t bg)
{
	c->w = w;
	c->h = h;
	c->px = malloc((size_t)w * h * 3);
	if (!c->px)
		return -1;
	canvas_rect(c, 0, 0, w, h, bg);
	return 0;
}

void canvas_free(struct canvas *c)
{
	free(c->px);
	c->px = NULL;
}

void canvas_rect(struct canvas *c, int x, int y, int w, int h, uint32_t rgb)
{
	int i, j;

	for (j = y < 0 ? 0 : y; j < y + h && j < c->h; j++) {
		for (i = x < 0 ? 0 : x; i < x + w && i < c->w; i++) {
			uint8_t *p = c->px + ((size_t)j * c->w + i) * 3;

			p[0] = (uint8_t)(rgb >> 16);
			p[1] = (uint8_t)(rgb >> 8);
			p[2] = (uint8_t)rgb;
		}
	}
}

int canvas_text_width(const char *s, int scale)
{
	return (int)strlen(s) * 6 * scale;
}

void canvas_text(struct canvas *c, int x, int y, const char *s, uint32_t rgb, int scale)
{
	int row, col;

	for (; *s; s++, x += 6 * scale) {
		const char *g = glyph_rows(*s);

		for (row = 0; row < 7; row++)
			for (col = 0; col < 5; col++)
				if (g[row * 5 + col] == '#')
					canvas_rect(c, x + col * scale, y + row * scale,
						    scale, scale, rgb);
	}
}

uint32_t png_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	static uint32_t table[256];
	uint32_t k;
	int i, j;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			k = (uint32_t)i;
			for (j = 0; j < 8; j++)
				k = k & 1 ? 0xedb88320u ^ (k >> 1) : k >> 1;
			table[i] = k;
		}
	}
	crc = ~crc;
	while (n--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t png_adler32(uint32_t a, const uint8_t *p, size_t n)
{
	uint32_t s1 = a & 0xffff, s2 = a >> 16;

	while (n--) {
		s1 = (s1 + *p++) % 65521;
		s2 = (s2 + s1) % 65521;
	}
	return s2 << 16 | s1;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int chunk(FILE *f, const char *type, const uint8_t *data, size_t n)
{
	uint8_t hdr[8], crc[4];
	uint32_t c;

	put32(hdr, (uint32_t)n);
	memcpy(hdr + 4, type, 4);
	c = png_crc32(0, hdr + 4, 4);
	c = png_crc32(c, data, n);
	put32(crc, c);
	if (fwrite(hdr, 1, 8, f) != 8 || (n && fwrite(data, 1, n, f) != n) ||
	    fwrite(crc, 1, 4, f) != 4)
		return -1;
	return 0;
}

int png_write(const struct canvas *c, FILE *f)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	size_t line = (size_t)c->w * 3 + 1, raw_len = line * c->h, nblocks, z_len, i, o;
	uint8_t ihdr[13], *raw, *z;
	int y, err;

	raw = malloc(raw_len);
	nblocks = (raw_len + 65534) / 65535;
	z_len = 2 + raw_len + 5 * (nblocks ? nblocks : 1) + 4;
	z = malloc(z_len);
	if (!raw || !z) {
		free(raw);
		free(z);
		errno = ENOMEM;
		return -1;
	}
	for (y = 0; y < c->h; y++) {
		raw[y * line] = 0;	/* filter: none */
		memcpy(raw + y * line + 1, c->px + (size_t)y * c->w * 3, line - 1);
	}
	/* zlib: CM 8, CINFO 7 (32K window), no dictionary, FCHECK so % 31 == 0 */
	z[0] = 0x78;
	z[1] = 0x01;
	o = 2;
	for (i = 0; i < raw_len || (!raw_len && !i); i += 65535) {
		size_t n = raw_len - i < 65535 ? raw_len - i : 65535;

		z[o++] = i + n >= raw_len;	/* BFINAL, BTYPE 00 (stored) */
		z[o++] = (uint8_t)n;
		z[o++] = (uint8_t)(n >> 8);
		z[o++] = (uint8_t)~n;
		z[o++] = (uint8_t)(~n >> 8);
		memcpy(z + o, raw + i, n);
		o += n;
		if (!raw_len)
			break;
	}
	put32(z + o, png_adler32(1, raw, raw_len));
	o += 4;
	put32(ihdr, (uint32_t)c->w);
	put32(ihdr + 4, (uint32_t)c->h);
	ihdr[8] = 8;		/* bit depth */
	ihdr[9] = 2;		/* colour type: RGB */
	ihdr[10] = ihdr[11] = ihdr[12] = 0;	/* deflate, adaptive filters, no interlace */
	err = fwrite(sig, 1, 8, f) != 8 || chunk(f, "IHDR", ihdr, 13) ||
	      chunk(f, "IDAT", z, o) || chunk(f, "IEND", NULL, 0);
	free(raw);
	free(z);
	return err ? -1 : 0;
}
