// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * bench-report: kbpf-bench's CSV lines (from the guest's log) into a CSV
 * file and a PNG bar chart of the ratios.
 *
 *   bench-report LOG OUT.csv OUT.png [TITLE]
 *
 * LOG holds the lines "CSV,..." kbpf-bench printed (anything else is
 * skipped).  Each row's bar is kbpf's advantage on a log scale: the ratio
 * kbpf/reference where higher is better (ops/s), its inverse where lower
 * is better (ns, bytes), so a bar right of 1.0 is a win.  Green: goal
 * met; red: missed; grey: no goal (informative); the thin line is the
 * spread of the per-repetition ratios and the tick the goal.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "png.h"

#define MAX_ROWS	512
#define FIELDS		19

struct row {
	char f[FIELDS][192];	/* the note (bench.h) is the longest */
};

static struct row rows[MAX_ROWS];
static int nrows;

/* Split one CSV line (after "CSV,"), a quoted last field allowed. */
static int split(char *s, struct row *r)
{
	int n = 0;

	while (n < FIELDS && *s) {
		char *out = r->f[n];
		size_t len = 0;

		if (*s == '"') {
			s++;
			while (*s && *s != '"' && *s != '\n')
				if (len < sizeof(r->f[0]) - 1)
					out[len++] = *s++;
				else
					s++;
			if (*s == '"')
				s++;
		} else {
			while (*s && *s != ',' && *s != '\n')
				if (len < sizeof(r->f[0]) - 1)
					out[len++] = *s++;
				else
					s++;
		}
		out[len] = 0;
		n++;
		if (*s == ',')
			s++;
		else
			break;
	}
	return n;
}

/* log2 of @v: the integer part by halving and doubling, the fraction bit by bit. */
static double lg2(double v)
{
	double r = 0, bit = 0.5;
	int i;

	if (v <= 0)
		return -100;
	while (v >= 2) {
		v /= 2;
		r += 1;
	}
	while (v < 1) {
		v *= 2;
		r -= 1;
	}
	for (i = 0; i < 16; i++, bit /= 2) {
		v *= v;
		if (v >= 2) {
			v /= 2;
			r += bit;
		}
	}
	return r;
}

int main(int argc, char **argv)
{
	const int label_w = 470, bar_w = 560, value_w = 230, row_h = 14, top = 56;
	const double span = 4;	/* 1/16 .. 16 */
	char line[1024];
	FILE *in, *csv, *png;
	struct canvas c;
	int i, x0, w;

	if (argc < 4) {
		fprintf(stderr, "usage: %s LOG OUT.csv OUT.png [TITLE]\n", argv[0]);
		return 2;
	}
	in = fopen(argv[1], "r");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	csv = fopen(argv[2], "w");
	if (!csv) {
		perror(argv[2]);
		return 1;
	}
	while (fgets(line, sizeof(line), in)) {
		char *p = strstr(line, "CSV,");

		if (!p)
			continue;
		fputs(p + 4, csv);
		if (!strncmp(p, "CSV,group,", 10) || nrows >= MAX_ROWS)
			continue;
		if (split(p + 4, &rows[nrows]) >= FIELDS - 1)
			nrows++;
	}
	fclose(in);
	if (fclose(csv)) {
		perror(argv[2]);
		return 1;
	}
	if (!nrows) {
		fprintf(stderr, "%s: no CSV rows in %s\n", argv[0], argv[1]);
		return 1;
	}
	if (canvas_init(&c, label_w + bar_w + value_w, top + nrows * row_h + 30,
			RGB(255, 255, 255))) {
		perror("canvas");
		return 1;
	}
	canvas_text(&c, 8, 8, argc > 4 ? argv[4] : "kbpf / kernel", RGB(0, 0, 0), 2);
	canvas_text(&c, 8, 30, "bar: kbpf advantage (ratio; inverse for ns and bytes), "
		    "log scale 1/16..16. green met, red missed, grey no goal; "
		    "line: spread, tick: goal", RGB(80, 80, 80), 1);
	x0 = label_w + bar_w / 2;	/* where 1.0 is */
	for (i = -4; i <= 4; i++) {
		char t[16];
		int x = x0 + (int)(i * (bar_w / 2) / span);

		canvas_rect(&c, x, top - 4, 1, nrows * row_h + 4,
			    i ? RGB(225, 225, 225) : RGB(0, 0, 0));
		if (i < 0)
			snprintf(t, sizeof(t), "1/%d", 1 << -i);
		else
			snprintf(t, sizeof(t), "%d", 1 << i);
		canvas_text(&c, x - canvas_text_width(t, 1) / 2, top + nrows * row_h + 6, t,
			    RGB(0, 0, 0), 1);
	}
	for (i = 0; i < nrows; i++) {
		struct row *r = &rows[i];
		bool lower = !strcmp(r->f[15], "lower");
		double ratio = atof(r->f[11]), lo = atof(r->f[12]), hi = atof(r->f[13]);
		double goal = atof(r->f[14]), adv, alo, ahi;
		int y = top + i * row_h, xa, xl, xh;
		uint32_t col = RGB(150, 150, 150);
		char label[160], val[64];

		if (lower) {
			double t = lo;

			adv = ratio > 0 ? 1 / ratio : 0;
			lo = hi > 0 ? 1 / hi : 0;
			hi = t > 0 ? 1 / t : 0;
			goal = goal > 0 ? 1 / goal : 0;
		} else {
			adv = ratio;
		}
		if (!strcmp(r->f[16], "met"))
			col = RGB(40, 160, 60);
		else if (!strcmp(r->f[16], "MISSED"))
			col = RGB(210, 50, 40);
		else if (!strcmp(r->f[16], "FAILED"))
			col = RGB(120, 0, 120);
		if (i % 2)
			canvas_rect(&c, 0, y, c.w, row_h, RGB(246, 246, 246));
		snprintf(label, sizeof(label), "%s %s vs %s", r->f[0], r->f[1], r->f[7]);
		label[label_w / 6 - 1] = 0;
		canvas_text(&c, 4, y + 3, label, RGB(0, 0, 0), 1);
		alo = lg2(lo) / span;
		ahi = lg2(hi) / span;
		xa = x0 + (int)(lg2(adv) / span * (bar_w / 2));
		xa = xa < label_w ? label_w : xa > label_w + bar_w ? label_w + bar_w : xa;
		w = xa - x0;
		if (w >= 0)
			canvas_rect(&c, x0, y + 3, w ? w : 1, row_h - 6, col);
		else
			canvas_rect(&c, xa, y + 3, -w, row_h - 6, col);
		xl = x0 + (int)(alo * (bar_w / 2));
		xh = x0 + (int)(ahi * (bar_w / 2));
		xl = xl < label_w ? label_w : xl;
		xh = xh > label_w + bar_w ? label_w + bar_w : xh;
		if (xh > xl)
			canvas_rect(&c, xl, y + row_h / 2, xh - xl, 1, RGB(0, 0, 0));
		if (goal > 0) {
			int xg = x0 + (int)(lg2(goal) / span * (bar_w / 2));

			canvas_rect(&c, xg, y + 1, 2, row_h - 2, RGB(0, 0, 160));
		}
		snprintf(val, sizeof(val), "%.3f %s%s %s", ratio,
			 goal > 0 ? (lower ? "<=" : ">=") : "", goal > 0 ? r->f[14] : "",
			 r->f[16]);
		canvas_text(&c, label_w + bar_w + 6, y + 3, val, RGB(0, 0, 0), 1);
	}
	png = fopen(argv[3], "wb");
	if (!png || png_write(&c, png) || fclose(png)) {
		perror(argv[3]);
		return 1;
	}
	canvas_free(&c);
	printf("%d rows: %s, %s\n", nrows, argv[2], argv[3]);
	return 0;
}
