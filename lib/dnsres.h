/*
 * dnsres.h - a private libresolv state aimed where the site says.
 *
 * Every DNS lookup of the project goes through a res_state prepared here:
 * res_ninit(), then, when a RESOLVER spec "ip[:port]" (IPv4, or
 * "[v6addr]:port") is given, that server alone replaces resolv.conf's
 * list.  The timeout per try and the number of tries bound each query.
 */
#ifndef ZM_DNSRES_H
#define ZM_DNSRES_H

#include <netinet/in.h>
#include <resolv.h>

/*
 * spec: NULL or "" for the system's servers, else "ip", "ip:port" or
 * "[ip6]:port".  0 on success; -1 if res_ninit fails or spec is malformed
 * (then nothing is left allocated).  Call res_nclose() when done.
 */
int dnsres_init(res_state rs, const char *spec, int timeout_s, int tries);

/* Parse a spec alone: 0 and the socket address, or -1. */
int dnsres_parse(const char *spec, struct sockaddr_storage *ss);

#endif
