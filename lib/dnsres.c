/*
 * dnsres.c - private resolver state with an optional single server.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "dnsres.h"
#include "util.h"

int
dnsres_parse(const char *spec, struct sockaddr_storage *ss)
{
	char host[64];
	const char *port = NULL;
	long p = 53;
	size_t hl;

	memset(ss, 0, sizeof *ss);
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (close == NULL)
			return -1;
		hl = (size_t)(close - spec - 1);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return -1;
		spec++;
	} else {
		const char *colon = strchr(spec, ':');

		if (colon && strchr(colon + 1, ':') == NULL) {
			hl = (size_t)(colon - spec);
			port = colon + 1;
		} else
			hl = strlen(spec);
	}
	if (hl == 0 || hl >= sizeof host)
		return -1;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (port && util_parse_long(port, 1, 65535, &p) < 0)
		return -1;
	{
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons((unsigned short)p);
			return 0;
		}
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((unsigned short)p);
			return 0;
		}
	}
	return -1;
}

int
dnsres_init(res_state rs, const char *spec, int timeout_s, int tries)
{
	struct sockaddr_storage ss;

	memset(rs, 0, sizeof *rs);
	if (spec && *spec && dnsres_parse(spec, &ss) < 0)
		return -1;
	if (res_ninit(rs) < 0)
		return -1;
	rs->retrans = timeout_s > 0 ? timeout_s : 1;
	rs->retry = tries > 0 ? tries : 1;
	if (spec && *spec) {
		int i;

		/* Forget resolv.conf's servers, IPv6 ones included. */
		for (i = 0; i < MAXNS; i++) {
			free(rs->_u._ext.nsaddrs[i]);
			rs->_u._ext.nsaddrs[i] = NULL;
		}
		if (ss.ss_family == AF_INET) {
			rs->nsaddr_list[0] = *(struct sockaddr_in *)&ss;
		} else {
			/* glibc reads IPv6 servers from the extension area
			 * and frees them in res_nclose(). */
			struct sockaddr_in6 *s6 = malloc(sizeof *s6);

			if (s6 == NULL) {
				res_nclose(rs);
				return -1;
			}
			*s6 = *(struct sockaddr_in6 *)&ss;
			memset(&rs->nsaddr_list[0], 0, sizeof rs->nsaddr_list[0]);
			rs->_u._ext.nsaddrs[0] = s6;
		}
		rs->nscount = 1;
	}
	return 0;
}
