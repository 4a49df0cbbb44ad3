/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>

#include "traj-records.h"

G_BEGIN_DECLS

G_END_DECLS
