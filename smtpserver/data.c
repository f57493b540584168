/*
 * data.c - DATA byte state machine; see data.h for the contract.
 *
 * States:
 *   BOL      at the beginning of a line (after CR LF)
 *   BOL_DOT  a "." at the beginning of a line
 *   DOT_CR   ".\r" at the beginning of a line
 *   MID      inside a line
 *   MID_CR   a CR inside a line (is it followed by LF?)
 */
#include <string.h>

#include "data.h"
#include "limits.h"

enum { BOL, BOL_DOT, DOT_CR, MID, MID_CR };

/* Text line limit without the CR LF. */
#define DATA_LINE_MAX (SMTP_TEXT_LINE_MAX - 2)

void
data_init(struct data_state *ds, size_t maxsize)
{
	memset(ds, 0, sizeof *ds);
	ds->st = BOL;
	ds->maxsize = maxsize;
}

static int
data_out(struct data_state *ds, const char *p, size_t n, data_emit_fn emit,
    void *arg)
{
	if (ds->flags & DATA_TOOBIG)
		return 0;
	if (n > ds->maxsize - ds->size) {
		ds->flags |= DATA_TOOBIG;
		return 0;
	}
	ds->size += n;
	return emit(arg, p, n);
}

/* One octet of line content (not CR/LF handling). */
static int
data_char(struct data_state *ds, char c, data_emit_fn emit, void *arg)
{
	if (++ds->linelen > DATA_LINE_MAX)
		ds->flags |= DATA_LONGLINE;
	return data_out(ds, &c, 1, emit, arg);
}

long
data_feed(struct data_state *ds, const char *p, size_t n, data_emit_fn emit,
    void *arg)
{
	size_t i;

	for (i = 0; i < n && !ds->done; i++) {
		char c = p[i];
		int rc = 0;

		switch (ds->st) {
		case BOL:
			ds->linelen = 0;
			if (c == '.') {
				ds->st = BOL_DOT;
				ds->linelen = 1;
				break;
			}
			/* FALLTHROUGH */
		case MID:
		mid:
			if (c == '\r')
				ds->st = MID_CR;
			else {
				if (c == '\n')
					ds->flags |= DATA_BARE;
				rc = data_char(ds, c, emit, arg);
				ds->st = MID;
			}
			break;
		case BOL_DOT:
			if (c == '\r') {
				ds->st = DOT_CR;
				break;
			}
			/* The stuffed dot is dropped; c is ordinary text. */
			goto mid;
		case DOT_CR:
			if (c == '\n') {
				ds->done = 1;
				break;
			}
			/* ".\r" then not LF: a bare CR after the dot. */
			ds->flags |= DATA_BARE;
			if (data_char(ds, '\r', emit, arg) < 0)
				return -1;
			ds->st = MID;
			goto mid;
		case MID_CR:
			if (c == '\n') {
				rc = data_out(ds, "\n", 1, emit, arg);
				ds->st = BOL;
				break;
			}
			ds->flags |= DATA_BARE;
			if (data_char(ds, '\r', emit, arg) < 0)
				return -1;
			ds->st = MID;
			goto mid;
		}
		if (rc < 0)
			return -1;
	}
	return (long)i;
}
