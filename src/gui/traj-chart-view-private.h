/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-chart-view.h"

G_BEGIN_DECLS

/* The layout the view draws now (for tests: where marks are). */
TrajChartLayout *traj_chart_view_get_layout (TrajChartView *self);

G_END_DECLS
