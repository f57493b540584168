/*
 * fuzz_nscheck.c - libFuzzer harness for nscheck's DNS answer parsing
 * (cks/nscheck/answer.c and dnsmsg.c).
 *
 * The input is a raw DNS message.  It is read as an NS answer for
 * example.test, then as an A and an AAAA answer for ns1.example.test
 * into a zone's nameserver record (which keeps growing across the two).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dnsmsg.h"
#include "nscheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nsc_zone z;
	static struct nsc_ns ns;
	char soa[DNSMSG_NAME_TEXT_MAX];
	unsigned rcode;
	int rc;

	memset(&z, 0, sizeof z);
	rc = nsc_read_ns(data, size, "example.test", &z, soa, sizeof soa,
	    &rcode);
	if (rc == 1 && (z.nns < 1 || z.nns > NSC_NS_MAX))
		__builtin_trap();
	(void)strnlen(soa, sizeof soa);

	memset(&ns, 0, sizeof ns);
	strcpy(ns.name, "ns1.example.test");
	(void)nsc_read_addrs(data, size, DNSMSG_T_A, &ns);
	(void)nsc_read_addrs(data, size, DNSMSG_T_AAAA, &ns);
	return 0;
}
