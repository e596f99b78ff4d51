/* SPDX-License-Identifier: MIT */
/* win/include/netdb.h: from Winsock (win/net.h); see win/compat.h. */
#ifndef HWF_WIN_NETDB_H
#define HWF_WIN_NETDB_H
#include "win/net.h"
#endif
