/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * A small RGB canvas, a 5x7 bitmap font, and a PNG writer of its own
 * (zlib stored blocks, CRC-32, Adler-32): enough for a bar chart with
 * labels, with nothing but libc.
 */
#ifndef KBPF_BENCH_PNG_H
#define KBPF_BENCH_PNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct canvas {
	int w, h;
	uint8_t *px;		/* w * h * 3 bytes, RGB */
};

#define RGB(r, g, b)	((uint32_t)(r) << 16 | (uint32_t)(g) << 8 | (uint32_t)(b))

int canvas_init(struct canvas *c, int w, int h, uint32_t bg);
void canvas_free(struct canvas *c);
void canvas_rect(struct canvas *c, int x, int y, int w, int h, uint32_t rgb);
/* Text at (x, y), the glyphs' top left, @scale pixels per font pixel. */
void canvas_text(struct canvas *c, int x, int y, const char *s, uint32_t rgb, int scale);
int canvas_text_width(const char *s, int scale);

uint32_t png_crc32(uint32_t crc, const uint8_t *p, size_t n);
uint32_t png_adler32(uint32_t a, const uint8_t *p, size_t n);
/* Write @c as an 8-bit RGB PNG; 0 or -1 with errno. */
int png_write(const struct canvas *c, FILE *f);

#endif /* KBPF_BENCH_PNG_H */
