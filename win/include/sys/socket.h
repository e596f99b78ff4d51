/* SPDX-License-Identifier: MIT */
/* win/include/sys/socket.h: BSD sockets as Winsock (win/src/net.c); see win/compat.h. */
#ifndef HWF_WIN_SYS_SOCKET_H
#define HWF_WIN_SYS_SOCKET_H
#include "win/net.h"
#endif
