/*
 * rdns.c - the client's reverse DNS name, through libresolv with the
 * RESOLVER of zmailer.conf and a bounded time (DESIGN 10).
 *
 * The PTR answer is untrusted: it is used only if it is a valid domain
 * name (addr_domain_ok); otherwise, on NXDOMAIN, on a timeout, or with
 * -g, the name is the address literal "[ip]".
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "dnsres.h"
#include "smtpd.h"

static int
rdns_qname(const char *ip, char *q, size_t qsz)
{
	unsigned char a[16];
	size_t o = 0;
	int i, n;

	if (inet_pton(AF_INET, ip, a) == 1) {
		n = snprintf(q, qsz, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2],
		    a[1], a[0]);
		return (n > 0 && (size_t)n < qsz) ? 0 : -1;
	}
	if (inet_pton(AF_INET6, ip, a) != 1 || qsz < 73)
		return -1;
	for (i = 15; i >= 0; i--) {
		static const char hex[] = "0123456789abcdef";

		q[o++] = hex[a[i] & 15];
		q[o++] = '.';
		q[o++] = hex[a[i] >> 4];
		q[o++] = '.';
	}
	strcpy(q + o, "ip6.arpa");
	return 0;
}

void
rdns_lookup(const char *ip, char *out, size_t outsz)
{
	struct __res_state rs;
	unsigned char ans[NS_PACKETSZ * 4];
	char q[128], name[NS_MAXDNAME];
	ns_msg msg;
	ns_rr rr;
	int len, i, count;

	snprintf(out, outsz, "[%s]", ip);
	if (rdns_qname(ip, q, sizeof q) < 0)
		return;
	memset(&rs, 0, sizeof rs);
	if (dnsres_init(&rs, smtpd_opts.resolver, DNS_TIMEOUT_DEFAULT, 1) < 0)
		return;
	len = res_nquery(&rs, q, ns_c_in, ns_t_ptr, ans, sizeof ans);
	if (len > 0 && ns_initparse(ans, len, &msg) == 0) {
		count = ns_msg_count(msg, ns_s_an);
		for (i = 0; i < count; i++) {
			if (ns_parserr(&msg, ns_s_an, i, &rr) < 0)
				break;
			if (ns_rr_type(rr) != ns_t_ptr)
				continue;
			if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg),
			    ns_rr_rdata(rr), name, sizeof name) < 0)
				break;
			if (addr_domain_ok(name, strlen(name)) &&
			    strlen(name) < outsz) {
				strcpy(out, name);
				break;
			}
		}
	}
	res_nclose(&rs);
}
