/*
 * wire.h - the router side of the smtpserver wire protocol (docs/wire.md).
 */
#ifndef ZM_WIRE_H
#define ZM_WIRE_H

#include "buf.h"

struct interp;

/* Serve requests on fd 0, replies on fd 1, until EOF; the exit status. */
int wire_serve(struct interp *in);
/* Reply lines of a script's output, framed; -1 if there were none. */
int wire_format(const char *text, size_t len, struct buf *out);

#endif
