/* SPDX-License-Identifier: MIT */
/* win/include/sys/statfs.h: nothing: win/src/dload_os.c replaces formats/dload/os.c. */
