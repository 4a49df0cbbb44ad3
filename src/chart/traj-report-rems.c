/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-report"

#include "config.h"

#include "traj-rems.h"
#include "traj-report-private.h"

/* The esketamine monitoring record of one session on one page
 * (CLINICAL.md §8): the clinic, the patient, the completeness check, then
 * the form's fields section by section, for staff to transcribe or file. */

static void
add_section (TrajReport *self, const TrajRemsRecord *r, const char *section)
{
  Table *t = NULL;

  for (guint k = 0; k < r->fields->len; k++)
    {
      const TrajRemsField *f = g_ptr_array_index (r->fields, k);
      char *value;

      if (f->section != section)
        continue;
      if (t == NULL)
        {
          t = rp_add_table (self, section, 10, _("Field"), FALSE, PANGO_ALIGN_LEFT,
                            _("Answer"), TRUE, PANGO_ALIGN_LEFT, NULL);
          t->plain = TRUE;
        }
      if (f->value == NULL)
        /* Translators: a monitoring record field with no answer */
        value = rp_alert (_("Missing"), TRUE);
      else if (f->alert)
        value = rp_alert (f->value, TRUE);
      else
        value = rp_esc (f->value);
      {
        char **cells = g_new0 (char *, 3);
        cells[0] = rp_esc (f->label);
        cells[1] = value;
        rp_table_add_row (t, cells);
      }
    }
}

TrajReport *
traj_report_rems_new (const TrajPatient       *patient,
                      const TrajInfusion      *session,
                      const TrajReportOptions *options,
                      const char              *clinic_address)
{
  TrajReport *self;
  TrajReportOptions opts;
  g_autoptr(TrajRemsRecord) r = NULL;
  g_autofree char *generated = NULL, *mrn = NULL, *when = NULL, *check = NULL, *line = NULL;
  const char *sections[5] = { NULL };
  guint n_sections = 0;
  Block *b;

  g_return_val_if_fail (patient != NULL && session != NULL, NULL);

  self = rp_report_new (REPORT_REMS, options, &opts);
  r = traj_rems_record_new (patient, session, opts.clinic_name, clinic_address);
  generated = rp_generated_text (opts.generated_at);
  if (opts.prepared_by && *opts.prepared_by)
    self->footer_left = g_strdup_printf (_("MRN %s · %s · %s"), patient->mrn, generated, opts.prepared_by);
  else
    self->footer_left = g_strdup_printf (_("MRN %s · %s"), patient->mrn, generated);
  self->running_head = g_strdup_printf (_("%s · MRN %s · %s"), patient->name, patient->mrn,
                                        _("Esketamine Monitoring Record"));

  b = rp_add_block (self, BLOCK_PAIR, STYLE_KICKER,
                    rp_esc (opts.clinic_name && *opts.clinic_name ? opts.clinic_name : _("Trajectory")), 0);
  b->right = rp_esc (_("Esketamine Monitoring Record"));
  b->right_style = STYLE_KICKER;
  rp_add_block (self, BLOCK_RULE, STYLE_BODY, NULL, 4);
  b = rp_add_block (self, BLOCK_PAIR, STYLE_TITLE, rp_esc (patient->name), 10);
  mrn = g_strdup_printf (_("MRN %s"), patient->mrn);
  b->right = rp_bold (mrn);
  b->right_style = STYLE_HEADING;
  when = session->started_at != TRAJ_TIME_NONE ? traj_time_format (session->started_at) : g_strdup ("");
  /* Translators: under the patient's name on the monitoring record: "Intranasal esketamine session, 3 Mar 2026, 09:00" */
  line = g_strdup_printf (_("Intranasal esketamine session, %s — for the SPRAVATO REMS Patient Monitoring Form"), when);
  rp_add_text (self, STYLE_BODY, rp_esc (line), 2);

  check = traj_rems_record_check_text (r);
  if (traj_rems_record_complete (r) && !r->short_monitoring)
    rp_add_text (self, STYLE_BODY_BOLD, rp_esc (check), 10);
  else
    rp_add_block (self, BLOCK_CALLOUT, STYLE_BODY, rp_esc (check), 10);

  for (guint k = 0; k < r->fields->len; k++)
    {
      const TrajRemsField *f = g_ptr_array_index (r->fields, k);
      if (n_sections == 0 || sections[n_sections - 1] != f->section)
        {
          g_assert (n_sections < G_N_ELEMENTS (sections));
          sections[n_sections++] = f->section;
        }
    }
  for (guint s = 0; s < n_sections; s++)
    add_section (self, r, sections[s]);

  rp_add_text (self, STYLE_SMALL,
               rp_soft (_("Blood pressures are the session’s readings: the last at or before dosing, the one nearest "
                          "40 minutes (30–59), and the last from 60 minutes on. Trajectory does not send this record "
                          "to the REMS; staff transcribe or file it.")), 14);
  return self;
}

gboolean
traj_report_rems_write_pdf (const TrajPatient       *patient,
                            const TrajInfusion      *session,
                            const TrajReportOptions *options,
                            const char              *clinic_address,
                            const char              *path,
                            GError                 **error)
{
  g_autoptr(TrajReport) report = traj_report_rems_new (patient, session, options, clinic_address);

  return traj_report_write_pdf (report, options, path, error);
}
