/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include <adwaita.h>

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

void
traj_gui_status_page_set_text (GtkWidget  *status_page,
                               const char *text)
{
  g_autofree char *escaped = text ? g_markup_escape_text (text, -1) : NULL;

  g_return_if_fail (ADW_IS_STATUS_PAGE (status_page));
  adw_status_page_set_description (ADW_STATUS_PAGE (status_page), escaped);
}
