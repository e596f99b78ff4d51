/* SPDX-License-Identifier: MIT */
/* win/include/netinet/in.h: from Winsock (win/net.h); see win/compat.h. */
#ifndef HWF_WIN_NETINET_IN_H
#define HWF_WIN_NETINET_IN_H
#include "win/net.h"
#endif
