/*
 * rel_cidr.c - relation type `cidr`: IPv4 and IPv6 networks, longest
 * prefix wins.
 *
 * File: the key is an address (a host: /32 or /128) or a network
 * "addr/len"; the value as in every list.  A line whose key is not an
 * address, whose length is out of range, or which has bits set below the
 * prefix length (192.0.2.1/24: write 192.0.2.0/24) is logged with
 * file:line and skipped.  IPv4-mapped IPv6 addresses (::ffff:a.b.c.d)
 * are IPv4, in the file and in lookups.
 *
 * Lookup key: an address, optionally in brackets and with an "IPv6:"
 * prefix as in SMTP address literals ([192.0.2.7], [IPv6:2001:db8::1]).
 * Anything else is not found.  The file is loaded into a hash table keyed
 * by (family, length, masked address); a lookup probes once per prefix
 * length present in the file, longest first, so it costs at most 33
 * (IPv4) or 129 (IPv6) probes whatever the file's size.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rel_be.h"

struct cd_ent {
	uint8_t  fam;           /* 4 or 6 */
	uint8_t  plen;
	uint8_t  addr[16];      /* masked */
	size_t   koff, voff;
	uint32_t klen, vlen;
};

struct cd {
	char    *data;
	size_t   len;
	struct cd_ent *ent;
	size_t   nent, aent;
	uint32_t *tab;          /* entry index + 1 */
	size_t   tabmask;
	uint8_t  has4[33], has6[129];
};

static struct cd *
cd_of(struct rel *r)
{
	return r->be;
}

static int
cd_init(struct rel *r, char *err, size_t errsz)
{
	if (r->subtype[0]) {
		snprintf(err, errsz, "relation: %s: type cidr takes no subtype", r->name);
		return -1;
	}
	if ((r->be = calloc(1, sizeof(struct cd))) == NULL) {
		snprintf(err, errsz, "relation: out of memory");
		return -1;
	}
	return 0;
}

static void
cd_unload(struct rel *r)
{
	struct cd *c = cd_of(r);

	free(c->data);
	free(c->ent);
	free(c->tab);
	memset(c, 0, sizeof *c);
}

static void
cd_fini(struct rel *r)
{
	free(r->be);
	r->be = NULL;
}

/*
 * Parse "addr", "addr/len", with optional [ ] and IPv6: around addr
 * when lookup is set.  0 with fam/addr/plen, or -1.
 */
static int
cd_parse(const char *s, size_t n, int lookup, uint8_t *fam, uint8_t addr[16],
    int *plen)
{
	char tmp[80], *slash;
	long l = -1;

	if (lookup && n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
		if (n >= 5 && strncasecmp(s, "IPv6:", 5) == 0) {
			s += 5;
			n -= 5;
		}
	}
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if ((slash = strchr(tmp, '/')) != NULL) {
		char *end;

		*slash++ = '\0';
		if (lookup || *slash < '0' || *slash > '9')
			return -1;
		errno = 0;
		l = strtol(slash, &end, 10);
		if (errno || *end != '\0' || l < 0 || l > 128)
			return -1;
	}
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, tmp, addr) == 1) {
		*fam = 4;
		if (l > 32)
			return -1;
		*plen = l < 0 ? 32 : (int)l;
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, addr) != 1)
		return -1;
	*fam = 6;
	*plen = l < 0 ? 128 : (int)l;
	{
		static const uint8_t mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };

		if (memcmp(addr, mapped, 12) == 0 && (l < 0 || l >= 96)) {
			memmove(addr, addr + 12, 4);
			memset(addr + 4, 0, 12);
			*fam = 4;
			*plen -= 96;
		}
	}
	return 0;
}

static void
cd_mask(uint8_t *dst, const uint8_t *src, int plen)
{
	int i;

	for (i = 0; i < 16; i++) {
		int bits = plen - i * 8;

		if (bits >= 8)
			dst[i] = src[i];
		else if (bits <= 0)
			dst[i] = 0;
		else
			dst[i] = (uint8_t)(src[i] & (0xff << (8 - bits)));
	}
}

static size_t
cd_hash(uint8_t fam, uint8_t plen, const uint8_t *addr)
{
	unsigned long h = 2166136261UL;
	int i;

	h = (h ^ fam) * 16777619UL;
	h = (h ^ plen) * 16777619UL;
	for (i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 16777619UL;
	return (size_t)h;
}

static long
cd_find(const struct cd *c, uint8_t fam, uint8_t plen, const uint8_t *addr)
{
	size_t i;

	if (c->tab == NULL)
		return -1;
	for (i = cd_hash(fam, plen, addr) & c->tabmask; c->tab[i];
	    i = (i + 1) & c->tabmask) {
		const struct cd_ent *e = &c->ent[c->tab[i] - 1];

		if (e->fam == fam && e->plen == plen && memcmp(e->addr, addr, 16) == 0)
			return (long)(c->tab[i] - 1);
	}
	return -1;
}

static int
cd_line(void *arg, const char *key, size_t klen, const char *val, size_t vlen,
    unsigned long lineno, const char **why)
{
	struct cd *c = arg;
	struct cd_ent *e;
	uint8_t fam, addr[16], m[16];
	int plen;

	(void)lineno;
	if (cd_parse(key, klen, 0, &fam, addr, &plen) < 0) {
		*why = "not an address or network, line skipped";
		return 1;
	}
	cd_mask(m, addr, plen);
	if (memcmp(m, addr, 16) != 0) {
		*why = "address bits set below the prefix length, line skipped";
		return 1;
	}
	if (c->nent == c->aent) {
		size_t n = c->aent ? c->aent * 2 : 64;
		void *p;

		if (c->nent >= (size_t)REL_ENTRIES_MAX) {
			*why = "too many entries, line skipped";
			return 1;
		}
		if ((p = realloc(c->ent, n * sizeof *c->ent)) == NULL)
			return -1;
		c->ent = p;
		c->aent = n;
	}
	e = &c->ent[c->nent++];
	e->fam = fam;
	e->plen = (uint8_t)plen;
	memcpy(e->addr, m, 16);
	e->koff = (size_t)(key - c->data);
	e->klen = (uint32_t)klen;
	e->voff = (size_t)(val - c->data);
	e->vlen = (uint32_t)vlen;
	return 0;
}

static int
cd_load(struct rel *r)
{
	struct cd *c = cd_of(r);
	size_t i, sz = 16;

	if (rel_read_file(r, REL_LOAD_MAX, &c->data, &c->len) != REL_FOUND)
		return REL_DEFER;
	if (rel_text_walk(r, c->data, c->len, cd_line, c) < 0) {
		cd_unload(r);
		return rel_defer(r, r->file, ENOMEM);
	}
	while (sz < c->nent * 2)
		sz *= 2;
	if ((c->tab = calloc(sz, sizeof *c->tab)) == NULL) {
		cd_unload(r);
		return rel_defer(r, r->file, ENOMEM);
	}
	c->tabmask = sz - 1;
	for (i = 0; i < c->nent; i++) {
		struct cd_ent *e = &c->ent[i];
		size_t h;

		if (cd_find(c, e->fam, e->plen, e->addr) >= 0)
			continue;       /* first line wins */
		for (h = cd_hash(e->fam, e->plen, e->addr) & c->tabmask; c->tab[h];
		    h = (h + 1) & c->tabmask)
			;
		c->tab[h] = (uint32_t)(i + 1);
		if (e->fam == 4)
			c->has4[e->plen] = 1;
		else
			c->has6[e->plen] = 1;
	}
	return REL_FOUND;
}

static int
cd_get(struct rel *r, const char *key, size_t klen, struct buf *val)
{
	struct cd *c = cd_of(r);
	uint8_t fam, addr[16], m[16];
	int plen, l;

	if (cd_parse(key, klen, 1, &fam, addr, &plen) < 0)
		return REL_NOTFOUND;
	for (l = plen; l >= 0; l--) {
		long i;

		if (!(fam == 4 ? c->has4[l] : c->has6[l]))
			continue;
		cd_mask(m, addr, l);
		if ((i = cd_find(c, fam, (uint8_t)l, m)) >= 0) {
			if (buf_append(val, c->data + c->ent[i].voff, c->ent[i].vlen) < 0)
				return rel_defer(r, "value too long for the caller", 0);
			return REL_FOUND;
		}
	}
	return REL_NOTFOUND;
}

static int
cd_print(struct rel *r, struct buf *out)
{
	struct cd *c = cd_of(r);
	size_t i;

	for (i = 0; i < c->nent; i++) {
		struct cd_ent *e = &c->ent[i];

		if (buf_append(out, c->data + e->koff, e->klen) < 0 ||
		    buf_putc(out, '\t') < 0 ||
		    buf_append(out, c->data + e->voff, e->vlen) < 0 ||
		    buf_putc(out, '\n') < 0)
			return rel_defer(r, "output too long", 0);
	}
	return 0;
}

static long
cd_count(struct rel *r)
{
	return (long)cd_of(r)->nent;
}

const struct rel_ops rel_cidr_ops = {
	.type = "cidr",
	.has_file = 1,
	.init = cd_init,
	.load = cd_load,
	.get = cd_get,
	.print = cd_print,
	.count = cd_count,
	.unload = cd_unload,
	.fini = cd_fini,
};
