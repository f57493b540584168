/*
 * sandbox.h - see sandbox.c: the harness sets sandbox_on around the code
 * under test.
 */
#ifndef FUZZ_SANDBOX_H
#define FUZZ_SANDBOX_H

extern int sandbox_on;

#endif
