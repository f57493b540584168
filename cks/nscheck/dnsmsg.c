/*
 * dnsmsg.c - strict reading of DNS messages; see dnsmsg.h for the promises.
 *
 * Every read goes through the bounds checks below, written as
 * "n > len - off" after checking off <= len, so no sum can overflow.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "dnsmsg.h"

static unsigned
get16(const unsigned char *p)
{
	return ((unsigned)p[0] << 8) | p[1];
}

static unsigned long
get32(const unsigned char *p)
{
	return ((unsigned long)p[0] << 24) | ((unsigned long)p[1] << 16) |
	    ((unsigned long)p[2] << 8) | p[3];
}

/* Room for n more bytes at off in a message of len bytes? */
static int
room(size_t len, size_t off, size_t n)
{
	return off <= len && n <= len - off;
}

/* Append one label octet to out in text form; -1 if out is full. */
static int
put_octet(char *out, size_t outsz, size_t *o, unsigned char c)
{
	static const char digits[] = "0123456789";

	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '_') {
		if (outsz - *o < 2)
			return -1;
		out[(*o)++] = (char)c;
		return 0;
	}
	if (c >= 'A' && c <= 'Z') {
		if (outsz - *o < 2)
			return -1;
		out[(*o)++] = (char)(c - 'A' + 'a');
		return 0;
	}
	if (outsz - *o < 5)
		return -1;
	out[(*o)++] = '\\';
	out[(*o)++] = digits[c / 100];
	out[(*o)++] = digits[(c / 10) % 10];
	out[(*o)++] = digits[c % 10];
	return 0;
}

/*
 * name = *label ( 0x00 / pointer ); label = len(1..63) octets;
 * pointer = 11xxxxxx xxxxxxxx, to an offset before the pointer itself.
 */
int
dnsmsg_name(const unsigned char *msg, size_t len, size_t off,
    char *out, size_t outsz, size_t *end)
{
	size_t o = 0, wire = 0, pos = off, stop = 0, i;
	unsigned ptrs = 0;
	int jumped = 0;

	if (outsz < 2)
		return -1;
	for (;;) {
		unsigned c;

		if (!room(len, pos, 1))
			return -1;
		c = msg[pos];
		if ((c & 0xC0) == 0xC0) {
			size_t target;

			if (!room(len, pos, 2))
				return -1;
			target = ((size_t)(c & 0x3F) << 8) | msg[pos + 1];
			/* Backwards only: a loop is impossible. */
			if (target >= pos || ++ptrs > DNSMSG_PTR_MAX)
				return -1;
			if (!jumped) {
				stop = pos + 2;
				jumped = 1;
			}
			pos = target;
			continue;
		}
		if ((c & 0xC0) != 0)        /* 01 and 10: reserved label types */
			return -1;
		wire += 1 + c;
		if (wire > DNSMSG_NAME_WIRE_MAX)
			return -1;
		if (c == 0) {
			pos++;
			break;
		}
		if (!room(len, pos + 1, c))
			return -1;
		if (o > 0) {
			if (outsz - o < 2)
				return -1;
			out[o++] = '.';
		}
		for (i = 0; i < c; i++)
			if (put_octet(out, outsz, &o, msg[pos + 1 + i]) < 0)
				return -1;
		pos += 1 + c;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	*end = jumped ? stop : pos;
	return 0;
}

int
dnsmsg_init(struct dnsmsg *m, const unsigned char *msg, size_t len)
{
	size_t end;

	memset(m, 0, sizeof *m);
	if (msg == NULL || len < DNSMSG_HDR_LEN)
		return -1;
	m->msg = msg;
	m->len = len;
	m->id = get16(msg);
	m->flags = get16(msg + 2);
	m->rcode = m->flags & 0x0F;
	m->qdcount = get16(msg + 4);
	m->ancount = get16(msg + 6);
	m->nscount = get16(msg + 8);
	m->arcount = get16(msg + 10);
	if (!(m->flags & DNSMSG_F_QR) || m->qdcount != 1)
		return -1;
	if (dnsmsg_name(msg, len, DNSMSG_HDR_LEN, m->qname, sizeof m->qname,
	    &end) < 0 || !room(len, end, 4))
		return -1;
	m->qtype = get16(msg + end);
	m->qclass = get16(msg + end + 2);
	m->off = end + 4;
	m->section = DNSMSG_AN;
	m->left = m->ancount;
	return 0;
}

int
dnsmsg_next(struct dnsmsg *m, struct dnsmsg_rr *rr)
{
	size_t end;

	if (m->msg == NULL || m->section < 0)
		return -1;
	while (m->left == 0) {
		if (m->section == DNSMSG_AN) {
			m->section = DNSMSG_NS;
			m->left = m->nscount;
		} else if (m->section == DNSMSG_NS) {
			m->section = DNSMSG_AR;
			m->left = m->arcount;
		} else
			return 0;
	}
	if (dnsmsg_name(m->msg, m->len, m->off, rr->owner, sizeof rr->owner,
	    &end) < 0 || !room(m->len, end, 10))
		goto bad;
	rr->section = m->section;
	rr->type = get16(m->msg + end);
	rr->class = get16(m->msg + end + 2);
	rr->ttl = get32(m->msg + end + 4);
	rr->rdlen = get16(m->msg + end + 8);
	rr->rdoff = end + 10;
	if (!room(m->len, rr->rdoff, rr->rdlen))
		goto bad;
	m->off = rr->rdoff + rr->rdlen;
	m->left--;
	return 1;
bad:
	m->section = -1;
	return -1;
}

int
dnsmsg_rdata_name(const struct dnsmsg *m, const struct dnsmsg_rr *rr,
    char *out, size_t outsz)
{
	size_t end;

	if (rr->rdlen == 0 || !room(m->len, rr->rdoff, rr->rdlen))
		return -1;
	/* The name may point outside the rdata (compression), but its own
	 * octets must start and, for NS/CNAME, end inside it. */
	if (dnsmsg_name(m->msg, rr->rdoff + rr->rdlen, rr->rdoff, out, outsz,
	    &end) < 0)
		return -1;
	if ((rr->type == DNSMSG_T_NS || rr->type == DNSMSG_T_CNAME) &&
	    end != rr->rdoff + rr->rdlen)
		return -1;
	return 0;
}

int
dnsmsg_rdata_addr(const struct dnsmsg *m, const struct dnsmsg_rr *rr,
    char *out, size_t outsz)
{
	int af;

	if (rr->class != DNSMSG_C_IN || !room(m->len, rr->rdoff, rr->rdlen))
		return -1;
	if (rr->type == DNSMSG_T_A && rr->rdlen == 4)
		af = AF_INET;
	else if (rr->type == DNSMSG_T_AAAA && rr->rdlen == 16)
		af = AF_INET6;
	else
		return -1;
	if (inet_ntop(af, m->msg + rr->rdoff, out, (socklen_t)outsz) == NULL)
		return -1;
	return 0;
}

int
dnsmsg_under(const char *name, const char *zone)
{
	size_t nl = strlen(name), zl = strlen(zone);

	if (strcmp(name, zone) == 0)
		return 2;
	if (strcmp(zone, ".") == 0)
		return 1;
	if (nl <= zl + 1 || strcmp(name + nl - zl, zone) != 0 ||
	    name[nl - zl - 1] != '.')
		return 0;
	/* An escaped dot "\046" cannot end a label boundary: the text form
	 * escapes '.', so a real '.' before the suffix is a boundary. */
	return 1;
}

int
dnsmsg_domain_text(const char *in, char *out, size_t outsz)
{
	size_t n = strlen(in), i, label = 0;

	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0 || n > 253 || n >= outsz)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '.') {
			/* RFC 5321: a label neither starts nor ends with '-'. */
			if (label == 0 || in[i - 1] == '-')
				return -1;
			label = 0;
			out[i] = '.';
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return -1;
		if (++label > DNSMSG_LABEL_MAX || (label == 1 && c == '-'))
			return -1;
		out[i] = (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
	}
	if (label == 0 || in[n - 1] == '-')
		return -1;
	out[n] = '\0';
	return 0;
}
