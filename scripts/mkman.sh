#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Turn one of docs/man/*.md, a small subset of Markdown that reads well as
# it is, into a man page (roff, the man macros).  The .md file is the one
# source: README.md links it, make install installs the page made from it.
#
#   scripts/mkman.sh docs/man/kbpftool.8.md >kbpftool.8
#
# The subset:
#   # name(section) -- one-line summary     first line: .TH and NAME
#   ## HEADING                              .SH
#   ### Subheading                          .SS
#   `term`[, `term`]... (a line of its own, after a blank line or a
#                                           heading) .TP, the lines after it its text
#   - item                                  a bullet (.IP)
#   ```  ...  ```                           a literal block
#   `code`, **bold**, *italic*              inline, within any text line
#   a blank line                            a new paragraph
set -euo pipefail

src=${1:?usage: mkman.sh PAGE.md}
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$(dirname "$0")/../dkms.conf")

awk -v version="kbpf ${version:-unknown}" '
function esc(s) {
	gsub(/\\/, "\\e", s)
	return s
}
# Inline markup: `code` and **bold** bold, *italic* italic; a hyphen in
# code is a minus sign, as options want.
function inline(s,    out, pre, code) {
	s = esc(s)
	out = ""
	while (match(s, /`[^`]+`/)) {
		pre = substr(s, 1, RSTART - 1)
		code = substr(s, RSTART + 1, RLENGTH - 2)
		gsub(/-/, "\\-", code)
		out = out emph(pre) "\\fB" code "\\fR"
		s = substr(s, RSTART + RLENGTH)
	}
	return out emph(s)
}
function emph(s) {
	gsub(/\*\*[^*]+\*\*/, "\\fB&\\fR", s)
	gsub(/\\fB\*\*/, "\\fB", s)
	gsub(/\*\*\\fR/, "\\fR", s)
	gsub(/\*[^* ][^*]*\*/, "\\fI&\\fR", s)
	gsub(/\\fI\*/, "\\fI", s)
	gsub(/\*\\fR/, "\\fR", s)
	return s
}
# A text line must not start with a control character.
function line(s) {
	sub(/^[ \t]+/, "", s)
	if (s ~ /^[.'\'']/)
		s = "\\&" s
	print s
}
NR == 1 {
	if (!match($0, /^# [a-z_.-]+\([0-9]\) -- /)) {
		print "mkman.sh: the first line must be \"# name(N) -- summary\"" > "/dev/stderr"
		exit 1
	}
	name = $2
	sect = name
	sub(/\(.*/, "", name)
	sub(/^[^(]*\(/, "", sect)
	sub(/\).*/, "", sect)
	summary = substr($0, RLENGTH + 1)
	title = (sect == 3) ? "Library Functions Manual" : "System Manager'\''s Manual"
	printf ".TH %s %s \"\" \"%s\" \"%s\"\n", toupper(name), sect, version, title
	print ".SH NAME"
	printf "%s \\- %s\n", name, esc(summary)
	next
}
/^```/ {
	if (!literal) {
		print ".PP"
		print ".RS 4"
		print ".nf"
	} else {
		print ".fi"
		print ".RE"
	}
	literal = !literal
	next
}
literal {
	s = esc($0)
	if (s ~ /^[.'\'']/)
		s = "\\&" s
	print s
	next
}
/^### / { print ".SS " inline(substr($0, 5)); fresh = 1; para = 0; next }
/^## / { print ".SH " inline(substr($0, 4)); fresh = 1; para = 0; next }
/^[ \t]*$/ { para = 1; fresh = 1; next }
fresh && /^`[^`]+`(, `[^`]+`)*[ \t]*$/ {
	print ".TP"
	line(inline($0))
	para = fresh = 0
	next
}
{ fresh = 0 }
/^- / {
	print ".IP \\(bu 2"
	line(inline(substr($0, 3)))
	para = 0
	next
}
{
	if (para) {
		print ".PP"
		para = 0
	}
	line(inline($0))
}
END {
	if (literal) {
		print "mkman.sh: unterminated ``` block" > "/dev/stderr"
		exit 1
	}
}' "$src"
