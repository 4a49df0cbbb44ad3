/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "traj-gui.h"
#include "traj-gui-resources.h"

void
traj_gui_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      traj_gui_register_resource ();
      g_once_init_leave (&once, 1);
    }
}
