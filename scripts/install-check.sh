#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Installs a build into a scratch DESTDIR and builds and runs a program
# against the installed header, library and pkg-config file, as a user of
# the library would.
set -eu
build=${1:-build}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
DESTDIR="$dest" meson install -C "$build" --quiet
pcdir=$(dirname "$(find "$dest" -name uiommufd.pc | head -n 1)")
cat > "$dest/use.c" <<'PROG'
#include <stdio.h>
#include <uiommufd/uiommufd.h>
#include <uiommufd/uapi/iommufd.h>

int main(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct uiommufd_ctx *ctx;
	long rc;

	if (uiommufd_ctx_open(&ctx))
		return 1;
	rc = uiommufd_ioctl(ctx, IOMMU_IOAS_ALLOC, &alloc);
	uiommufd_ctx_close(ctx);
	printf("installed uiommufd %s: IOAS_ALLOC -> %ld, id %u\n",
	       uiommufd_version(), rc, alloc.out_ioas_id);
	return rc != 0 || alloc.out_ioas_id != 1;
}
PROG
export PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_PATH="$pcdir"
# shellcheck disable=SC2046
cc -o "$dest/use" "$dest/use.c" $(pkg-config --cflags --libs uiommufd)
libdir=$(pkg-config --variable=libdir uiommufd)
# pkg-config already puts the sysroot in front of libdir.
LD_LIBRARY_PATH="$libdir" "$dest/use"
