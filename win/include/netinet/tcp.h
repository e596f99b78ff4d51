/* SPDX-License-Identifier: MIT */
/* win/include/netinet/tcp.h: from Winsock (win/net.h); see win/compat.h. */
#ifndef HWF_WIN_NETINET_TCP_H
#define HWF_WIN_NETINET_TCP_H
#include "win/net.h"
#endif
