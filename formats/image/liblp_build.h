/* SPDX-License-Identifier: MIT */
/*
 * Building and writing liblp metadata: what lpmake does on the host and
 * what fastbootd does for update-super and create/delete/resize-logical-
 * partition.  The choices are AOSP builder.cpp's, so that the same steps
 * give the same bytes as lpmake:
 *  - the super block device first, named "super"; the group "default"
 *    (no limit) first; groups and partitions in the order they were added;
 *  - partitions start at first_logical_sector = the metadata area (4096 +
 *    2 * (4096 + metadata_max_size * slots)) aligned up to the alignment
 *    (1 MiB by default) plus its offset; sizes are rounded up to the
 *    logical block size (4096 by default);
 *  - growing takes the free regions in sector order, first fit: a region
 *    starts at the previous extent's end aligned up to the alignment, and
 *    an extent that continues the partition's last one is merged with it;
 *    shrinking cuts from the end;
 *  - a group's limit counts the bytes of its partitions' linear extents;
 *  - header 10.0 (128 bytes); 10.1 when a partition is "updated" or
 *    "disabled" (AOSP bumps only for "updated"; its reader refuses either
 *    bit in 10.0); 10.2 (256 bytes, flags) for virtual A/B or when the
 *    imported metadata had it.
 * Not done: the second-half placement of _b partitions on A/B devices
 * (fastbootd's IsABDevice()), retrofit devices (more than one block
 * device), auto slot suffixing.
 *
 * Memory: a builder is allocated by hwf_lp_builder_new() or
 * hwf_lp_builder_import() and freed by hwf_lp_builder_free(); an exported
 * hwf_lp_metadata is the caller's (hwf_lp_metadata_free()).
 * Errors: HWF_EINVAL (a device, name or size the format cannot hold),
 * HWF_EEXIST (a name taken), HWF_ENOTFOUND (no such partition or group),
 * HWF_ENOSPC (no free space, a group's limit, metadata larger than its
 * slot), HWF_EIO (writing), HWF_ENOMEM.  Every message is one sentence.
 */
#ifndef HWF_LIBLP_BUILD_H
#define HWF_LIBLP_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"
#include "formats/image/liblp.h"

#define HWF_LP_DEFAULT_ALIGNMENT  (1u << 20)
#define HWF_LP_DEFAULT_BLOCK_SIZE 4096u
#define HWF_LP_DEFAULT_GROUP	  "default"

/* The super device, as lpmake's -d -m -s -b --alignment --alignment-offset. */
struct hwf_lp_device_opts {
	uint64_t size;		    /* bytes of the super partition */
	uint32_t metadata_max_size; /* bytes of one copy (rounded up to 512) */
	uint32_t slot_count;	    /* 1 (A-only), 2 (A/B), 3 */
	uint32_t block_size;	    /* 0: 4096 */
	uint32_t alignment;	    /* 0: 1 MiB */
	uint32_t alignment_offset;
	const char *name; /* NULL: "super" */
	int virtual_ab;	  /* header 10.2 with the virtual A/B flag */
};

struct hwf_lp_builder;

int hwf_lp_builder_new(struct hwf_lp_builder **out, const struct hwf_lp_device_opts *o,
		       struct hwf_err *e);
/* A builder holding @m's groups, partitions and extents (MetadataBuilder::New(metadata)). */
int hwf_lp_builder_import(struct hwf_lp_builder **out, const struct hwf_lp_metadata *m,
			  struct hwf_err *e);
void hwf_lp_builder_free(struct hwf_lp_builder *b);

/* A group with a limit in bytes (0: none). */
int hwf_lp_builder_add_group(struct hwf_lp_builder *b, const char *name, uint64_t maximum_size,
			     struct hwf_err *e);
/* An empty partition in @group (NULL: "default"); HWF_LP_ATTR_* @attributes. */
int hwf_lp_builder_add_partition(struct hwf_lp_builder *b, const char *name, const char *group,
				 uint32_t attributes, struct hwf_err *e);
int hwf_lp_builder_remove_partition(struct hwf_lp_builder *b, const char *name, struct hwf_err *e);
/* Grow (first fit) or shrink @name to @size bytes rounded up to the block size. */
int hwf_lp_builder_resize_partition(struct hwf_lp_builder *b, const char *name, uint64_t size,
				    struct hwf_err *e);

/*
 * update-super without wipe, as fastbootd's UpdateSuper: @b holds the new
 * super_empty's metadata; the partitions of @old (the device's current
 * metadata) are kept with their extents, except those of the current slot
 * (@slot_suffix "_a", "_b" or "" on a device without slots), those of the
 * other slot too when @virtual_ab, the "cow" group's and "scratch".  A kept
 * partition that the new metadata has with a size, a block device table
 * that differs (name, size, first sector), a group that the new metadata
 * lacks or whose limit it breaks: HWF_EINVAL, "wipe needed".
 */
int hwf_lp_builder_merge_update(struct hwf_lp_builder *b, const struct hwf_lp_metadata *old,
				const char *slot_suffix, int virtual_ab, struct hwf_err *e);

/*
 * Can metadata @image be written over @device's?  Same geometry (metadata
 * size, slots, block size: writer.cpp's CompareGeometry) and the same super
 * device size.  0, or HWF_EINVAL with @why.
 */
int hwf_lp_compatible(const struct hwf_lp_metadata *device, const struct hwf_lp_metadata *image,
		      char *why, size_t len);

/* The metadata as it stands (the caller frees it with hwf_lp_metadata_free()). */
int hwf_lp_builder_export(const struct hwf_lp_builder *b, struct hwf_lp_metadata *out,
			  struct hwf_err *e);

/* --- serializing and writing --- */

/* The geometry's 4096 bytes (52 used, checksum filled). */
void hwf_lp_serialize_geometry(const struct hwf_lp_geometry *g, uint8_t out[HWF_LP_GEOMETRY_SIZE]);
/*
 * Header and tables with both checksums (malloc'ed into *@blob, *@len
 * bytes).  HWF_ENOSPC when they do not fit metadata_max_size.
 */
int hwf_lp_serialize_metadata(const struct hwf_lp_metadata *m, uint8_t **blob, size_t *len,
			      struct hwf_err *e);

/* super_empty.img into @fd (at its offset 0): the geometry, then one copy. */
int hwf_lp_write_empty(const struct hwf_lp_metadata *m, int fd, struct hwf_err *e);
/*
 * The metadata area of a super partition (or image) open in @fd: 4096
 * zero bytes, the geometry and its backup, every slot's primary copy and
 * then every backup, each padded to metadata_max_size (FlashPartitionTable).
 * The partitions' bytes are not touched.
 */
int hwf_lp_write_metadata(const struct hwf_lp_metadata *m, int fd, struct hwf_err *e);

/* Initial contents of a logical partition for hwf_lp_write_image(). */
struct hwf_lp_image {
	const char *partition;
	struct hwf_source *src; /* borrowed; at most the partition's size */
};

/*
 * A full super image into @fd (a new, empty file): the metadata area,
 * then each of @images written through its partition's extents, the file
 * sized to the super device (the rest reads as zeros).  An image larger
 * than its partition, or for a partition the metadata lacks: HWF_EINVAL.
 */
int hwf_lp_write_image(const struct hwf_lp_metadata *m, int fd, const struct hwf_lp_image *images,
		       size_t nimages, struct hwf_err *e);

#endif
