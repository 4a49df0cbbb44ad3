/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "traj-error.h"

G_DEFINE_QUARK (traj-error-quark, traj_error)
