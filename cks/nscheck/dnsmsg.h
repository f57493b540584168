/*
 * dnsmsg.h - a strict reader of DNS messages (RFC 1035 section 4).
 *
 * Pure functions over a byte array: no I/O, no allocation, no global
 * state, so the unit tests and a fuzzer link this file alone.  A DNS
 * answer is untrusted input; every offset is checked against the message
 * length before it is read (comparisons written so they cannot overflow),
 * every name is at most DNSMSG_NAME_WIRE_MAX octets in wire form with
 * labels of at most DNSMSG_LABEL_MAX, compression pointers must point
 * backwards (so they cannot loop) and at most DNSMSG_PTR_MAX are followed
 * per name, and each record's rdata must lie inside the message.  Anything
 * else makes the whole message malformed (-1): the caller treats the
 * answer as "could not tell", never as "not found".
 *
 * Names come out in text form: lower case, no trailing dot ("." for the
 * root), and any octet other than a letter, digit, '-' or '_' written as
 * \DDD (a '.' inside a label too), so a hostile label cannot fake a
 * suffix such as ".example.com" and the text is safe for logs and
 * libwrap patterns.  res_mkquery() reads \DDD back, so the text form
 * round-trips into queries.
 */
#ifndef NSC_DNSMSG_H
#define NSC_DNSMSG_H

#include <stddef.h>

#include "limits.h"

#define DNSMSG_HDR_LEN   12
#define DNSMSG_T_A       1
#define DNSMSG_T_NS      2
#define DNSMSG_T_CNAME   5
#define DNSMSG_T_SOA     6
#define DNSMSG_T_AAAA    28
#define DNSMSG_C_IN      1

#define DNSMSG_R_NOERROR  0
#define DNSMSG_R_SERVFAIL 2
#define DNSMSG_R_NXDOMAIN 3

#define DNSMSG_F_QR  0x8000u
#define DNSMSG_F_AA  0x0400u
#define DNSMSG_F_TC  0x0200u

enum dnsmsg_section { DNSMSG_AN = 1, DNSMSG_NS = 2, DNSMSG_AR = 3 };

/* A message being read: the header, then an iterator over its records. */
struct dnsmsg {
	const unsigned char *msg;
	size_t   len;
	unsigned id, flags, rcode;
	unsigned qdcount, ancount, nscount, arcount;
	char     qname[DNSMSG_NAME_TEXT_MAX];
	unsigned qtype, qclass;
	size_t   off;           /* next record */
	int      section;       /* section of the next record */
	unsigned left;          /* records left in that section */
};

/* One resource record; rdata stays in the message (rdoff, rdlen). */
struct dnsmsg_rr {
	int      section;
	char     owner[DNSMSG_NAME_TEXT_MAX];
	unsigned type, class;
	unsigned long ttl;
	size_t   rdoff, rdlen;
};

/*
 * Read the header and the question of msg[0..len).  0 on success; -1 if
 * the message is shorter than a header, is not a response, has other than
 * exactly one question, or the question is malformed.
 */
int dnsmsg_init(struct dnsmsg *m, const unsigned char *msg, size_t len);

/*
 * The next record of the answer, authority and additional sections, in
 * order: 1 and *rr filled; 0 when every counted record has been read;
 * -1 when the message is malformed (a record runs past the end, a bad
 * name).  After -1, further calls return -1.
 */
int dnsmsg_next(struct dnsmsg *m, struct dnsmsg_rr *rr);

/*
 * Expand the name at msg[off] into out (size outsz, at least
 * DNSMSG_NAME_TEXT_MAX for any name) in the text form above; *end gets
 * the offset just past the name where it sits (past the first pointer if
 * it is compressed).  0 on success, -1 if malformed or out is too small.
 */
int dnsmsg_name(const unsigned char *msg, size_t len, size_t off,
    char *out, size_t outsz, size_t *end);

/*
 * The domain name held in rr's rdata (NS, CNAME; the first name of SOA),
 * into out.  For NS and CNAME the name must fill the rdata exactly.
 * 0 on success, -1 if malformed.
 */
int dnsmsg_rdata_name(const struct dnsmsg *m, const struct dnsmsg_rr *rr,
    char *out, size_t outsz);

/*
 * The address held in an A (rdlen 4) or AAAA (rdlen 16) record, as text
 * (inet_ntop form) into out of size outsz (46 is enough).  0 on success,
 * -1 if rr is not A/AAAA of class IN or its rdlen is wrong.
 */
int dnsmsg_rdata_addr(const struct dnsmsg *m, const struct dnsmsg_rr *rr,
    char *out, size_t outsz);

/*
 * Is `name` (text form) equal to `zone` or below it?  2 if equal, 1 if a
 * proper descendant, 0 otherwise.  "." is above every name.
 */
int dnsmsg_under(const char *name, const char *zone);

/*
 * Check and normalise a domain name given by a person (command line):
 * letters, digits, '-' and '_' in labels of 1..63 that neither start nor
 * end with '-' (RFC 5321), at most 253 characters,
 * one optional trailing dot; the result in lower case without the dot.
 * 0 on success, -1 otherwise.
 */
int dnsmsg_domain_text(const char *in, char *out, size_t outsz);

#endif
