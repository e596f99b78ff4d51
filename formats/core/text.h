/* SPDX-License-Identifier: MIT */
/*
 * Small string questions that several families ask.
 *
 * Pure functions: nothing allocated, nothing fails.
 */
#ifndef HWF_TEXT_H
#define HWF_TEXT_H

/* Case-insensitive: does @s end with @suffix (".app", ".zip")? */
int hwf_ends_with_ci(const char *s, const char *suffix);

#include <stddef.h>
#include <stdint.h>

/* "1.50 GiB", "12.3 MiB", "4.0 KiB", "512 B": sizes in messages (ui_size too). */
void hwf_size_text(uint64_t n, char *buf, size_t len);

/* The value of the hex digit @c (either case), or -1. */
int hwf_hex_digit(int c);

#endif
