/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-gui.h"
#include "traj-patient-row.h"

struct _TrajPatientRow
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkLabel *name_label;
  GtkLabel *detail_label;
  GtkLabel *score_label;
  GtkImage *trend_image;
  GtkImage *risk_image;
  GtkLabel *badge;
};

G_DEFINE_FINAL_TYPE (TrajPatientRow, traj_patient_row, GTK_TYPE_WIDGET)

static void
traj_patient_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TRAJ_TYPE_PATIENT_ROW);
  G_OBJECT_CLASS (traj_patient_row_parent_class)->dispose (object);
}

static void
traj_patient_row_class_init (TrajPatientRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = traj_patient_row_dispose;

  traj_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-patient-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajPatientRow, box);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientRow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientRow, score_label);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientRow, trend_image);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientRow, risk_image);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientRow, badge);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "trajpatientrow");
}

static void
traj_patient_row_init (TrajPatientRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
traj_patient_row_new (void)
{
  return g_object_new (TRAJ_TYPE_PATIENT_ROW, NULL);
}

void
traj_patient_row_set_item (TrajPatientRow  *self,
                           TrajPatientItem *item)
{
  const TrajPatientSummary *s;
  g_autofree char *detail = NULL;
  g_autofree char *born = NULL;
  g_autofree char *access = NULL;
  const char *trend_icon = NULL;
  const char *trend_text = "";
  int findings;
  gboolean safety_finding;

  g_return_if_fail (TRAJ_IS_PATIENT_ROW (self));

  if (item == NULL)
    return;
  s = traj_patient_item_get_summary (item);

  gtk_label_set_label (self->name_label, s->name);
  born = traj_day_format (s->birth_day);
  /* Translators: patient list row: "MRN · born 3 Mar 1961 · indication" */
  detail = g_strdup_printf (_("%s · born %s · %s"), s->mrn, born, traj_indication_label (s->indication));
  {
    /* The row wraps in a narrow sidebar; the birth date, which tells
     * namesakes apart, stays on one line. */
    g_autoptr(GString) shown_born = g_string_new (born);
    g_autofree char *shown = NULL;

    g_string_replace (shown_born, " ", "\u00a0", 0);
    shown = g_strdup_printf (_("%s · born %s · %s"), s->mrn, shown_born->str, traj_indication_label (s->indication));
    gtk_label_set_label (self->detail_label, shown);
  }

  if (s->latest_score >= 0)
    {
      const TrajScale *scale = traj_scale_get (s->primary_scale);
      g_autofree char *score = g_strdup_printf ("%s %d", _(scale->name), s->latest_score);

      gtk_label_set_label (self->score_label, score);
      gtk_widget_set_visible (GTK_WIDGET (self->score_label), TRUE);
      if (s->previous_score >= 0)
        {
          /* Lower is better on every scale Trajectory ships. */
          if (s->latest_score < s->previous_score)
            {
              trend_icon = "trajectory-trend-down-symbolic";
              trend_text = _("improving");
            }
          else if (s->latest_score > s->previous_score)
            {
              trend_icon = "trajectory-trend-up-symbolic";
              trend_text = _("worsening");
            }
          else
            {
              trend_icon = "trajectory-trend-flat-symbolic";
              trend_text = _("unchanged");
            }
        }
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->score_label), FALSE);

  gtk_widget_set_visible (GTK_WIDGET (self->trend_image), trend_icon != NULL);
  if (trend_icon)
    {
      gtk_image_set_from_icon_name (self->trend_image, trend_icon);
      gtk_widget_remove_css_class (GTK_WIDGET (self->trend_image), "trend-up");
      gtk_widget_remove_css_class (GTK_WIDGET (self->trend_image), "trend-down");
      if (s->latest_score > s->previous_score)
        gtk_widget_add_css_class (GTK_WIDGET (self->trend_image), "trend-up");
      else if (s->latest_score < s->previous_score)
        gtk_widget_add_css_class (GTK_WIDGET (self->trend_image), "trend-down");
    }

  /* The badge counts open findings only, as the README says; the
   * suicidal-ideation risk flag, which the stored state counts as one open
   * safety item (it keeps the patient on the work list, first), shows as its
   * own icon: a "1" with nothing to acknowledge on the page misled. While
   * the flag is set the stored state cannot tell whether a safety finding
   * is open besides it, so the badge then keeps the plain colour; the red
   * flag beside it says safety. */
  findings = MAX (s->open_findings, 0) - (s->risk_flag && s->open_findings > 0 ? 1 : 0);
  safety_finding = s->safety_open && !s->risk_flag;
  gtk_widget_set_visible (GTK_WIDGET (self->risk_image), s->risk_flag);
  gtk_widget_remove_css_class (GTK_WIDGET (self->badge), "safety");
  if (findings > 0 || safety_finding)
    {
      g_autofree char *count = g_strdup_printf ("%d", MAX (findings, 1));
      g_autofree char *tip = NULL;

      gtk_label_set_label (self->badge, count);
      gtk_widget_set_visible (GTK_WIDGET (self->badge), TRUE);
      if (safety_finding)
        gtk_widget_add_css_class (GTK_WIDGET (self->badge), "safety");
      tip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d open finding", "%d open findings",
                                          (gulong) MAX (findings, 1)), MAX (findings, 1));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->badge), tip);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->badge), FALSE);

  /* One sentence for screen readers. */
  if (s->latest_score >= 0)
    access = g_strdup_printf (_("%s, %s, latest %s %d, %s%s%s"), s->name, detail,
                              _(traj_scale_get (s->primary_scale)->name), s->latest_score, trend_text,
                              safety_finding ? _(", safety finding open") :
                              findings > 0 ? _(", findings open") : "",
                              s->risk_flag ? _(", risk flag: suicidal ideation") : "");
  else
    access = g_strdup_printf (_("%s, %s, no scores yet%s%s"), s->name, detail,
                              safety_finding ? _(", safety finding open") :
                              findings > 0 ? _(", findings open") : "",
                              s->risk_flag ? _(", risk flag: suicidal ideation") : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, access, -1);
}
