/* SPDX-License-Identifier: MIT */
/*
 * One zip's members for a command that reads them more than once (update:
 * the gate, the split scan and the send; app flash: the verify and the
 * send): each deflated member is inflated at most once per handle.  Its
 * bytes go, as far as they have been read, into a temporary file that is
 * unlinked from the start (O_TMPFILE, else mkstemp + unlink at once), under
 * the handle's tmpdir, so that nothing is left behind even by SIGKILL;
 * every later read, backwards or again, is served from that file.  Blocks
 * of zeros become holes.  Stored members are read in place (a window on
 * the zip).  A member whose deflated data holds more than the size the zip
 * declares is refused (a zip bomb never fills the disk past that size).
 *
 * Memory: the handle is allocated by hwf_zip_members_open() and freed by
 * hwf_zip_members_close(); it owns the zip file, the temporary files and
 * the counters.  Sources from hwf_zip_members_source() borrow the handle:
 * close them first.  A source is read from one thread at a time.
 * Errors: what opening the zip and its members returns (HWF_EIO,
 * HWF_EFORMAT, HWF_ETRUNC, HWF_ECRC, HWF_ENOTFOUND, HWF_EUNSUPPORTED,
 * HWF_ENOMEM), and HWF_ENOSPC when the temporary folder is full (the
 * sentence names the zip, the member and the folder).  A failed inflation
 * is not retried: every later read of that member fails the same way.
 */
#ifndef HWF_ZIP_MEMBERS_H
#define HWF_ZIP_MEMBERS_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"

struct hwf_zip_members;

/*
 * Open @zip_path.  @tmpdir is where inflated bytes are kept (NULL: $TMPDIR,
 * else /tmp); it is copied.
 */
int hwf_zip_members_open(struct hwf_zip_members **out, const char *zip_path, const char *tmpdir,
			 struct hwf_err *e);

/*
 * The same for a zip held in @zip (borrowed: it must outlive the handle;
 * e.g. an inner zip, itself a member source of an outer handle), named
 * @label in messages and source names.
 */
int hwf_zip_members_open_source(struct hwf_zip_members **out, struct hwf_source *zip,
				const char *label, const char *tmpdir, struct hwf_err *e);

/*
 * Member @member (exact path inside the archive) as a source named
 * "ZIP:MEMBER".  The first source of a deflated member starts its one
 * inflation (lazily: only as far as it is read); later sources of the same
 * member share it.  Encrypted members and other methods than stored and
 * deflated are refused with HWF_EUNSUPPORTED.
 */
int hwf_zip_members_source(struct hwf_zip_members *zm, const char *member, struct hwf_source **out,
			   struct hwf_err *e);

/* What happened to one member so far, for -v and the tests. */
struct hwf_zip_member_stats {
	const char *name;  /* the member; owned by the handle */
	int deflated;	   /* 0: stored, read in place */
	uint64_t size;	   /* uncompressed size the zip declares */
	uint64_t passes;   /* inflations started from its first byte: at most 1 */
	uint64_t inflated; /* bytes inflated over all passes */
	uint64_t written;  /* bytes written to the temporary file (zeros are holes) */
	double seconds;	   /* spent inflating and writing */
};

/* Number of members opened through @zm so far. */
size_t hwf_zip_members_count(const struct hwf_zip_members *zm);

/* Member @i (0 .. count - 1, in the order they were first opened). */
void hwf_zip_members_stats(const struct hwf_zip_members *zm, size_t i,
			   struct hwf_zip_member_stats *st);

/* The folder the temporary files go to. */
const char *hwf_zip_members_tmpdir(const struct hwf_zip_members *zm);

/* Closes the zip and the temporary files (they were never linked). */
void hwf_zip_members_close(struct hwf_zip_members *zm);

#endif
