/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "traj-store.h"

G_BEGIN_DECLS

/* The patient progress report (src/chart/traj-report.h) from the GUI. Both
 * read the patient's records on a worker thread with a connection of its
 * own, then:
 *
 * traj_report_print_patient() runs a GtkPrintOperation whose pages are the
 * report laid out for the page size chosen in the print dialog — the same
 * layout and drawing as the PDF.
 *
 * traj_report_export_patient_pdf() asks where to save (GtkFileChooserNative)
 * and writes the PDF, on the paper size of the user's locale (A4 or US
 * Letter).
 *
 * Thresholds come from @settings (the clinic's preferences), and so do the
 * clinic's name ("clinic-name") and the clinician ("clinician-name") when
 * the schema has those keys. Failures are shown in a message dialog over
 * @parent with the plain error message. */
void traj_report_print_patient      (GtkWindow *parent,
                                     TrajStore *store,
                                     GSettings *settings,
                                     gint64     patient_id);
void traj_report_export_patient_pdf (GtkWindow *parent,
                                     TrajStore *store,
                                     GSettings *settings,
                                     gint64     patient_id);

/* The same without a dialog (tests): a print into the PDF file @path,
 * and the export to @path. Each is audited as the ones above are: the
 * export as a "report" naming the file, the print as a "print" naming the
 * printer, or the file of a print to file. */
void traj_report_print_patient_to_file      (GtkWindow  *parent,
                                             TrajStore  *store,
                                             GSettings  *settings,
                                             gint64      patient_id,
                                             const char *path);
void traj_report_export_patient_pdf_to_path (GtkWindow  *parent,
                                             TrajStore  *store,
                                             GSettings  *settings,
                                             gint64      patient_id,
                                             const char *path);

G_END_DECLS
