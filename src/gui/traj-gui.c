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

void
traj_gui_dismiss (GtkWindow *dialog)
{
  g_return_if_fail (GTK_IS_WINDOW (dialog));

  gtk_window_set_transient_for (dialog, NULL);
  gtk_window_destroy (dialog);
}
