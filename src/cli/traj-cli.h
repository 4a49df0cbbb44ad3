/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "traj-outcomes.h"
#include "traj-store.h"
#include "traj-table.h"

G_BEGIN_DECLS

typedef struct _TrajCli TrajCli;

typedef struct {
  const char *name;
  const char *parameter;   /* e.g. "[--format FORMAT]" */
  const char *summary;
  int (*run) (TrajCli *cli, int argc, char **argv);
  /* Whether the command may make the clinic file it is pointed at (it
   * fills a clinic); every other command refuses a file that does not
   * exist, so a mistyped --database never opens an empty clinic. */
  gboolean may_create;
} TrajCliCommand;

struct _TrajCli {
  char *database;          /* --database, or NULL for the default clinic file */
  char *clinician;         /* --clinician, or NULL: $TRAJECTORY_CLINICIAN */
  const TrajCliCommand *command;   /* the one running, from the command table */
  gboolean created;        /* traj_cli_open_store () made a new clinic file */
  TrajNewClinic *new_clinic; /* …which is filled beside its name until published */
};

/* Parses the running command's own options (plus --database and --help)
 * with a GOptionContext, its usage from the command table; prints errors
 * and returns FALSE on bad usage. */
gboolean    traj_cli_parse        (TrajCli       *cli,
                                   GOptionEntry  *entries,
                                   int           *argc,
                                   char        ***argv);
TrajStore  *traj_cli_open_store   (TrajCli *cli);
/* Where the clinic @store is (for messages): a new clinic's own name,
 * not the one it is filled under. */
const char *traj_cli_store_path   (TrajCli *cli, TrajStore *store);
/* After a command that filled a new clinic succeeded: closes @store (taking
 * the caller's reference) and puts the clinic under its name
 * (traj_store_publish_new ()). Nothing to do, TRUE, for a clinic that was
 * there before. FALSE, said on stderr, when another program made a clinic
 * file there meanwhile: that file is left as it is. */
gboolean    traj_cli_publish_created (TrajCli *cli, TrajStore *store);
/* Closes @store (taking the caller's reference); a new clinic
 * traj_cli_open_store () made for this command is dropped (a refused import
 * into a new path leaves nothing, and never removes a file another program
 * made or wrote into). */
void        traj_cli_discard_created (TrajCli *cli, TrajStore *store);
gboolean    traj_cli_format       (const char *name, TrajFormat *format);
/* Prints "trajectory-cli COMMAND: message" to stderr. Returns 1. */
int         traj_cli_fail         (TrajCli *cli, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* Writes text to stdout, or to @path when set. */
gboolean    traj_cli_write        (TrajCli *cli, const char *path, const char *text);
/* After an output of patient data is complete: one traj_store_audit_output ()
 * event naming @path (made absolute). FALSE, said on stderr, when the
 * trail could not take it. */
gboolean    traj_cli_audit_output (TrajCli            *cli,
                                   TrajStore          *store,
                                   const char         *action,
                                   const char         *what,
                                   const char * const *patient_uids,
                                   const char         *path);

int traj_cli_demo      (TrajCli *cli, int argc, char **argv);
int traj_cli_patients  (TrajCli *cli, int argc, char **argv);
int traj_cli_export    (TrajCli *cli, int argc, char **argv);
int traj_cli_import    (TrajCli *cli, int argc, char **argv);
int traj_cli_backup    (TrajCli *cli, int argc, char **argv);
int traj_cli_restore   (TrajCli *cli, int argc, char **argv);
int traj_cli_outcomes  (TrajCli *cli, int argc, char **argv);
int traj_cli_chart     (TrajCli *cli, int argc, char **argv);
int traj_cli_cohort    (TrajCli *cli, int argc, char **argv);
int traj_cli_report    (TrajCli *cli, int argc, char **argv);
int traj_cli_cohort_report (TrajCli *cli, int argc, char **argv);
int traj_cli_rems      (TrajCli *cli, int argc, char **argv);
int traj_cli_server    (TrajCli *cli, int argc, char **argv);
int traj_cli_migrate   (TrajCli *cli, int argc, char **argv);
int traj_cli_staff_pin (TrajCli *cli, int argc, char **argv);
int traj_cli_checkin (TrajCli *cli, int argc, char **argv);
int traj_cli_audit (TrajCli *cli, int argc, char **argv);

/* One line from standard input, typed without echo when it is a terminal
 * (@prompt shown on stderr); NULL at the end of input. */
char *traj_cli_read_secret (const char *prompt);

/* The clinic's thresholds (kept in its database, the ones every window of
 * the clinic uses), else CLINICAL.md's defaults. */
void traj_cli_load_thresholds (TrajStore *store, TrajThresholds *thresholds);

G_END_DECLS
