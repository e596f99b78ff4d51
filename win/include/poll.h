/* SPDX-License-Identifier: MIT */
/* win/include/poll.h: from Winsock (win/net.h); see win/compat.h. */
#ifndef HWF_WIN_POLL_H
#define HWF_WIN_POLL_H
#include "win/net.h"
#endif
