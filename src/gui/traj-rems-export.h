/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "traj-store.h"

G_BEGIN_DECLS

/* The esketamine monitoring record of one session as a one-page PDF, from
 * the patient page (traj_report_rems_new ()). The clinic's name and address
 * come from @settings ("clinic-name", "clinic-address"). Written through the
 * report's safe writer (0600, atomic, never through a link) and audited as
 * a "report" naming the file; failures are shown over @parent. */
void     traj_rems_export_pdf         (GtkWindow          *parent,
                                       TrajStore          *store,
                                       GSettings          *settings,
                                       const TrajPatient  *patient,
                                       const TrajInfusion *session);
/* The same to @path without asking (tests and the chooser's answer). */
gboolean traj_rems_export_pdf_to_path (TrajStore          *store,
                                       GSettings          *settings,
                                       const TrajPatient  *patient,
                                       const TrajInfusion *session,
                                       const char         *path,
                                       GError            **error);

/* The small "REMS" button on a session's timeline row: green when the
 * record is complete, amber otherwise; its tooltip says what is missing
 * (object data "check" holds that text), a click exports the PDF. It
 * follows the clinic's name and address in @settings while shown. */
GtkWidget *traj_rems_record_button_new (TrajStore          *store,
                                        GSettings          *settings,
                                        const TrajPatient  *patient,
                                        const TrajInfusion *session);

G_END_DECLS
