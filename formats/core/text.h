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

#endif
