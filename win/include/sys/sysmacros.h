/* SPDX-License-Identifier: MIT */
/* win/include/sys/sysmacros.h: nothing: win/src/dload_os.c replaces formats/dload/os.c. */
