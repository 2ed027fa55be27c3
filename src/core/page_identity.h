/* SPDX-License-Identifier: BSD-3-Clause */
/* Page identity for the selftest ops; see page_identity.c. */
#ifndef UIOMMUFD_CORE_PAGE_IDENTITY_H
#define UIOMMUFD_CORE_PAGE_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/maps.h"

bool ufd_same_page(uintptr_t a, uintptr_t b);

#endif
