/* SPDX-License-Identifier: MIT */
/*
 * The device model (fbdev.h) as a transport, in process: a write() is fed
 * to fbdev_input(), whose replies wait in a queue for read().  No socket,
 * no thread, no fork: a unit test drives protocol code (the fastboot
 * client, the flash engine) against the same model fbsim and usbsim serve.
 *
 * A model that drops the connection (a disconnect fault) hangs the
 * transport up: replies sent before that are still read, then every read
 * and write fails with HWF_EDISCONNECTED.  A model that does not answer
 * (a stall fault) makes read() time out at once with HWF_ETIMEOUT.
 * stats() counts writes as transfers.  The model is borrowed (free it
 * after closing the transport).
 */
#ifndef HWF_SIMTRANSPORT_H
#define HWF_SIMTRANSPORT_H

#include "formats/core/err.h"
#include "protocol/transport.h"
#include "tests/sim/fbdev.h"

/* A transport named "sim:" + @name over @d.  HWF_ENOMEM. */
int simt_open(struct hwf_transport **out, struct fbdev *d, const char *name, struct hwf_err *e);

#endif
