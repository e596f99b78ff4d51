/* SPDX-License-Identifier: MIT */
/*
 * dload SD cards, shared by host/cmd_dload.c (prepare) and
 * host/dload_check.c (check): what a mounted folder's file system is, and
 * verifying the packages a card holds.
 */
#ifndef HWF_DLOAD_H
#define HWF_DLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "host/cli.h"
#include "formats/core/source.h"

/* FAT32 keeps a file's size in 32 bits. */
#define DL_FAT_MAX_FILE 0xffffffffull

struct dl_fs {
	char name[64];		/* "FAT32", "FAT16", "exFAT", "NTFS", "ext2/3/4", "tmpfs" ... */
	int is_fat32;
	uint64_t free;		/* bytes available */
	uint64_t size;		/* bytes in all */
	uint32_t cluster;	/* f_bsize: the cluster size on vfat */
};

/* What file system holds the folder @dir (statfs).  Returns 0 or -errno. */
int dl_statfs(const char *dir, struct dl_fs *out);

/*
 * Verify a package in @src (an UPDATE.APP): header and every block CRC.
 * Returns 0 when sound; else a negative code and @why says what is wrong
 * in a sentence.  Shows progress under @label.
 */
int dl_verify_app(struct hwf_cli *cli, struct hwf_source *src, const char *label, char *why,
		  size_t whylen);

/*
 * Verify the UPDATE.APP inside the zip @path (update_sd*.zip): as above.
 * HWF_ENOTFOUND when the zip holds no .APP.
 */
int dl_verify_zip(struct hwf_cli *cli, const char *path, char *why, size_t whylen);

/* snprintf that says nothing about truncation (messages may be cut). */
void say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* dload check TARGET (host/dload_check.c). */
int dload_check(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);

#endif
