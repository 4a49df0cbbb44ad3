/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Called once the person has chosen where to write, and agreed to replace
 * the file there if there is one; it takes @user_data over. Never called
 * on Cancel. */
typedef void (*TrajSaveChosenFunc) (const char *path,
                                    gpointer    user_data);

/* Asks where to save a new file, as every export does.
 *
 * The chooser starts in the folder of the last export (@settings'
 * "last-export-folder", if it is still a folder), else in the person's
 * Documents folder, else at home; never in the program's working folder.
 * A name typed without @extension (".pdf") gets it added, and only then is
 * it checked: a file already at that path is replaced only after a
 * "Replace?" question answered Replace. @destroy frees @user_data when
 * the person cancels instead. */
void  traj_save_chooser_run            (GtkWindow          *parent,
                                        GSettings          *settings,
                                        const char         *title,
                                        const char         *suggested_name,
                                        const char         *extension,
                                        GtkFileFilter      *filter,
                                        TrajSaveChosenFunc  chosen,
                                        gpointer            user_data,
                                        GDestroyNotify      destroy);

/* The folder a new chooser starts in (see above). */
char *traj_save_chooser_start_folder   (GSettings          *settings);

/* @path with @extension added unless it already ends with it (in any case). */
char *traj_save_chooser_with_extension (const char         *path,
                                        const char         *extension);

G_END_DECLS
