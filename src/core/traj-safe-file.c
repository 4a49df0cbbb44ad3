/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE             /* renameat2 (RENAME_EXCHANGE) */
#define G_LOG_DOMAIN "traj-safe-file"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traj-open-guard.h"
#include "traj-safe-file.h"

struct _TrajSafeFile
{
  char *path;            /* the target */
  char *temp;            /* the new file beside it; NULL when writing through */
  int fd;
  gboolean through;      /* a device or FIFO: written in place */
  gboolean in_set;       /* part of a TrajSafeDir: commit only closes */
  gboolean closed;
  gboolean committed;
};

struct _TrajSafeDir
{
  char *path;
  char *parent;
  char *temp;
  GStrv names;
  GPtrArray *files;      /* TrajSafeFile* */
  gboolean committed;
};

/* ---- helpers ------------------------------------------------------------------- */

typedef enum {
  MSG_WRITE,               /* Could not write “%s”: %s */
  MSG_WRITE_INTO,          /* Could not write into “%s”: %s */
  MSG_CREATE_BESIDE,       /* Could not create a file beside “%s”: %s */
  MSG_CREATE_FOLDER,       /* Could not create the folder “%s”: %s */
  MSG_CREATE_FOLDER_BESIDE,
} Msg;

static void
set_errno_error (GError **error, int saved, Msg msg, const char *path)
{
  g_autofree char *display = g_filename_display_name (path);
  GIOErrorEnum code = g_io_error_from_errno (saved);

  if (saved == ENOSPC || saved == EDQUOT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("The disk holding “%s” is full; nothing was written. Free some space and try again."), display);
      return;
    }
  switch (msg)
    {
    case MSG_WRITE_INTO:
      g_set_error (error, G_IO_ERROR, code, _("Could not write into “%s”: %s"), display, g_strerror (saved));
      break;
    case MSG_CREATE_BESIDE:
      g_set_error (error, G_IO_ERROR, code, _("Could not create a file beside “%s”: %s"), display, g_strerror (saved));
      break;
    case MSG_CREATE_FOLDER:
      g_set_error (error, G_IO_ERROR, code, _("Could not create the folder “%s”: %s"), display, g_strerror (saved));
      break;
    case MSG_CREATE_FOLDER_BESIDE:
      g_set_error (error, G_IO_ERROR, code, _("Could not create a folder beside “%s”: %s"), display, g_strerror (saved));
      break;
    case MSG_WRITE:
    default:
      /* Translators: the first %s is a file, the second why it failed */
      g_set_error (error, G_IO_ERROR, code, _("Could not write “%s”: %s"), display, g_strerror (saved));
      break;
    }
}

/* Whether @path may be written: it does not exist, or is a regular file
 * (replaced), or — when @through_ok — a character device or a FIFO (written
 * through). */
static gboolean
check_target (const char *path, gboolean through_ok, gboolean *through, GError **error)
{
  g_autofree char *display = g_filename_display_name (path);
  struct stat st;

  *through = FALSE;
  if (lstat (path, &st) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      set_errno_error (error, errno, MSG_WRITE, path);
      return FALSE;
    }
  if (S_ISREG (st.st_mode))
    return TRUE;
  if (S_ISLNK (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   _("“%s” is a symbolic link, and nothing is written through a link. "
                     "Choose the file it points to, or another name."), display);
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   _("“%s” is a folder. Choose a file name."), display);
      return FALSE;
    }
  if ((S_ISCHR (st.st_mode) || S_ISFIFO (st.st_mode)) && through_ok)
    {
      *through = TRUE;
      return TRUE;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
               _("“%s” is not a regular file (a device, pipe or socket), so it is not replaced. Choose a file."),
               display);
  return FALSE;
}

static void
sync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return;
  /* Some file systems cannot sync a folder (EINVAL): the rename stands. */
  if (fsync (fd) != 0 && errno != EINVAL)
    g_debug ("fsync of %s: %s", dir, g_strerror (errno));
  close (fd);
}

/* ---- temporary files ------------------------------------------------------------ */

/* Every temporary name says who made it: ".BASE.HOST-PID-RANDOM.part" (a
 * folder for a set of files; SQLite adds "-wal", "-shm" or "-journal" to a
 * database written under such a name). A program killed mid-write (kill -9,
 * a power cut, a full disk) cannot remove its own; the next output to the
 * same name removes those whose program is gone. Only this computer's (the
 * folder may be shared), and never one of a program that still runs: its
 * write may be under way. */
static guint32
host_tag (void)
{
  static gsize tag;

  if (g_once_init_enter (&tag))
    {
      /* Two containers may share a folder and a host name, and number
       * their processes alike: their PID namespace tells them apart. */
      g_autofree char *ns = g_file_read_link ("/proc/self/ns/pid", NULL);
      g_autofree char *id = g_strconcat (g_get_host_name (), "/", ns ? ns : "", NULL);

      g_once_init_leave (&tag, (gsize) (g_str_hash (id) | 1u));
    }
  return (guint32) tag;
}

static char *
temp_prefix (const char *dir, const char *base)
{
  return g_strdup_printf ("%s%s.%s.%08x-%ld-", dir, G_DIR_SEPARATOR_S, base, host_tag (), (long) getpid ());
}

/* @rest is what follows ".BASE." in a folder entry. TRUE when it is one of
 * our temporary names and the program that made it on this computer is gone. */
static gboolean
temp_of_gone_program (const char *rest)
{
  /* A new clinic filled under a temporary name has the store's lock
   * files beside it too (traj_store_open_new ()). */
  static const char *suffixes[] = { ".part", ".part-wal", ".part-shm", ".part-journal",
                                    ".part-wait.lock", ".part-import.lock" };
  char *end = NULL;
  guint64 host, pid;
  gboolean suffix_ok = FALSE;

  if (!g_ascii_isxdigit (rest[0]))
    return FALSE;
  host = g_ascii_strtoull (rest, &end, 16);
  if (end != rest + 8 || *end != '-' || host != host_tag ())
    return FALSE;
  rest = end + 1;
  if (!g_ascii_isdigit (rest[0]))
    return FALSE;
  pid = g_ascii_strtoull (rest, &end, 10);
  if (*end != '-' || pid == 0 || pid > G_MAXINT || strlen (end + 1) < 6)
    return FALSE;
  rest = end + 1 + 6;
  for (guint k = 0; k < G_N_ELEMENTS (suffixes); k++)
    suffix_ok = suffix_ok || strcmp (rest, suffixes[k]) == 0;
  if (!suffix_ok || (pid_t) pid == getpid ())
    return FALSE;
  /* EPERM: it runs, as someone else. */
  return kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

static void
remove_gone_temp (const char *path)
{
  struct stat st;
  int dfd;
  DIR *d;
  struct dirent *entry;

  if (lstat (path, &st) != 0)
    return;
  if (!S_ISDIR (st.st_mode))
    {
      g_unlink (path);
      return;
    }
  /* A folder (a killed CSV export): its files only, through a descriptor of
   * the folder itself, so a link put in its place leads nowhere. */
  dfd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0 || (d = fdopendir (dfd)) == NULL)
    {
      if (dfd >= 0)
        close (dfd);
      return;
    }
  while ((entry = readdir (d)) != NULL)
    {
      struct stat ist;

      if (fstatat (dfd, entry->d_name, &ist, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR (ist.st_mode))
        unlinkat (dfd, entry->d_name, 0);
    }
  closedir (d);
  g_rmdir (path);
}

/* Removes what killed programs left while writing @base in @dir. */
static void
sweep_gone_temps (const char *dir, const char *base)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autofree char *prefix = g_strconcat (".", base, ".", NULL);
  gsize prefix_len = strlen (prefix);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  while (d && (entry = g_dir_read_name (d)) != NULL)
    if (strncmp (entry, prefix, prefix_len) == 0 && temp_of_gone_program (entry + prefix_len))
      g_ptr_array_add (gone, g_build_filename (dir, entry, NULL));
  for (guint k = 0; k < gone->len; k++)
    remove_gone_temp (g_ptr_array_index (gone, k));
}

/* A new empty file beside @path (or inside @dir when set), 0600, that no one
 * else made and that is no link. */
static int
open_new (const char *dir, const char *base, char **temp_out, GError **error)
{
  g_autofree char *prefix = temp_prefix (dir, base);

  sweep_gone_temps (dir, base);
  for (guint tries = 0; tries < 100; tries++)
    {
      g_autofree char *temp = g_strdup_printf ("%s%06x.part", prefix, g_random_int () & 0xffffff);
      int fd = open (temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

      if (fd >= 0)
        {
          /* The umask may only have narrowed it; make it exactly 0600. */
          fchmod (fd, 0600);
          *temp_out = g_steal_pointer (&temp);
          return fd;
        }
      if (errno != EEXIST)
        {
          g_autofree char *target = g_build_filename (dir, base, NULL);
          set_errno_error (error, errno, MSG_CREATE_BESIDE, target);
          return -1;
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("Could not create a file in “%s”."), dir);
  return -1;
}

/* ---- clinic files ------------------------------------------------------------------- */

/* A clinic file a connection of this process holds, by any of its names,
 * or the -wal, -shm or -journal beside it (traj-open-guard.c): no output
 * may replace one. Renaming a file over it leaves the connections writing
 * into a file no other program sees: their saves are lost. */
static gboolean
check_not_clinic (const char *path, GError **error)
{
  if (traj_open_guard_is_held (path))
    {
      g_autofree char *display = g_filename_display_name (path);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” is a clinic database in use, or a file SQLite keeps beside one; "
                     "nothing is written over it. Choose another name."), display);
      return FALSE;
    }
  return TRUE;
}

/* Another program's database: SQLite keeps a -wal and -shm (WAL mode) or a
 * -journal beside a database while it is open (or after a crash, until the
 * next opening recovers it). Replacing such a file, or one of those beside
 * it, leaves that program writing into a file nobody else sees: refused,
 * whoever holds it. Checked by name only: opening another program's
 * database here could not hurt it, but opening our own would. */
static gboolean
check_not_live_database (const char *path, GError **error)
{
  static const char *suffixes[] = { "-wal", "-shm", "-journal" };
  gboolean live = FALSE;

  for (guint k = 0; k < G_N_ELEMENTS (suffixes) && !live; k++)
    {
      g_autofree char *beside = g_strconcat (path, suffixes[k], NULL);

      if (g_file_test (beside, G_FILE_TEST_EXISTS))
        live = TRUE;
      else if (g_str_has_suffix (path, suffixes[k]))
        {
          g_autofree char *db = g_strndup (path, strlen (path) - strlen (suffixes[k]));
          live = g_file_test (db, G_FILE_TEST_EXISTS);
        }
    }
  if (live)
    {
      g_autofree char *display = g_filename_display_name (path);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” is a database another program has open (or a file SQLite keeps beside "
                     "one); nothing is written over it. Choose another name."), display);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_safe_file_is_database (const char *path)
{
  static const char header[16] = "SQLite format 3";   /* and its NUL */
  char head[16] = { 0 };
  struct stat st;
  ssize_t n;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  /* A clinic a connection of this process holds may not be opened here
   * (traj-open-guard.c): it is a database. */
  if (traj_open_guard_is_held (path))
    return TRUE;
  if (lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return FALSE;
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return FALSE;
  n = read (fd, head, sizeof head);
  close (fd);
  return n == (ssize_t) sizeof head && memcmp (head, header, sizeof head) == 0;
}

/* An export, report or chart never replaces a database (a clinic closed
 * for now is still a clinic). */
static gboolean
check_not_database (const char *path, GError **error)
{
  if (traj_safe_file_is_database (path))
    {
      g_autofree char *display = g_filename_display_name (path);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” is a database; an export is never written over one. Choose another name."),
                   display);
      return FALSE;
    }
  return TRUE;
}

static TrajSafeFile *
safe_file_new (const char *path, gboolean through_ok, gboolean keep_fd, gboolean spare_clinics, GError **error)
{
  g_autofree char *dir = NULL, *base = NULL;
  TrajSafeFile *f;
  gboolean through;

  g_return_val_if_fail (path != NULL, NULL);

  if ((spare_clinics && !check_not_clinic (path, error)) ||
      (spare_clinics && !check_not_live_database (path, error)) ||
      (keep_fd && spare_clinics && !check_not_database (path, error)) ||
      !check_target (path, through_ok, &through, error))
    return NULL;
  f = g_new0 (TrajSafeFile, 1);
  f->path = g_strdup (path);
  f->fd = -1;
  f->through = through;
  if (through)
    {
      f->fd = open (path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
      if (f->fd < 0)
        {
          set_errno_error (error, errno, MSG_WRITE, path);
          traj_safe_file_free (f);
          return NULL;
        }
      return f;
    }
  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  f->fd = open_new (dir, base, &f->temp, error);
  if (f->fd < 0)
    {
      traj_safe_file_free (f);
      return NULL;
    }
  if (!keep_fd)
    {
      /* The writer opens it by name (SQLite): a descriptor of ours closed
       * later would drop the writer's POSIX locks on it. */
      close (f->fd);
      f->fd = -1;
    }
  return f;
}

/* ---- one file ------------------------------------------------------------------ */

TrajSafeFile *
traj_safe_file_new (const char *path, GError **error)
{
  return safe_file_new (path, TRUE, TRUE, TRUE, error);
}

TrajSafeFile *
traj_safe_file_new_for_path_writer (const char *path, GError **error)
{
  return safe_file_new (path, FALSE, FALSE, TRUE, error);
}

TrajSafeFile *
traj_safe_file_new_for_clinic (const char *path, GError **error)
{
  return safe_file_new (path, FALSE, FALSE, FALSE, error);
}

const char *
traj_safe_file_get_temp_path (TrajSafeFile *f)
{
  return f->temp;
}

const char *
traj_safe_file_get_path (TrajSafeFile *f)
{
  return f->path;
}

gboolean
traj_safe_file_write (TrajSafeFile *f, const void *data, gsize length, GError **error)
{
  const char *p = data;

  g_return_val_if_fail (f != NULL && f->fd >= 0 && !f->closed, FALSE);

  while (length > 0)
    {
      ssize_t n = write (f->fd, p, length);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          set_errno_error (error, errno, MSG_WRITE, f->path);
          return FALSE;
        }
      p += n;
      length -= (gsize) n;
    }
  return TRUE;
}

static gboolean
close_file (TrajSafeFile *f, GError **error)
{
  int fd = f->fd;

  f->fd = -1;
  f->closed = TRUE;
  if (fd < 0)
    {
      /* A path writer closed its own: sync what it wrote. */
      if (f->temp == NULL)
        return TRUE;
      fd = open (f->temp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        {
          set_errno_error (error, errno, MSG_WRITE, f->path);
          return FALSE;
        }
    }
  /* fsync of a pipe or terminal fails with EINVAL: nothing to sync there. */
  if (fsync (fd) != 0 && !(f->through && (errno == EINVAL || errno == EROFS)))
    {
      int saved = errno;
      close (fd);
      set_errno_error (error, saved, MSG_WRITE, f->path);
      return FALSE;
    }
  if (close (fd) != 0 && errno != EINTR)
    {
      set_errno_error (error, errno, MSG_WRITE, f->path);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_safe_file_commit (TrajSafeFile *f, GError **error)
{
  g_autofree char *dir = NULL;
  gboolean through;

  g_return_val_if_fail (f != NULL && !f->committed, FALSE);

  if (!close_file (f, error))
    return FALSE;
  if (f->through || f->in_set)
    {
      f->committed = TRUE;
      return TRUE;
    }
  /* Something else may have appeared at the name meanwhile: never rename
   * over a device node or a folder. */
  if (!check_target (f->path, FALSE, &through, error))
    return FALSE;
  if (rename (f->temp, f->path) != 0)
    {
      set_errno_error (error, errno, MSG_WRITE, f->path);
      return FALSE;
    }
  g_clear_pointer (&f->temp, g_free);
  f->committed = TRUE;
  dir = g_path_get_dirname (f->path);
  sync_dir (dir);
  return TRUE;
}

gboolean
traj_safe_file_commit_new (TrajSafeFile *f, GError **error)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (f != NULL && !f->committed && !f->in_set && !f->through, FALSE);

  if (!close_file (f, error))
    return FALSE;
  if (renameat2 (AT_FDCWD, f->temp, AT_FDCWD, f->path, RENAME_NOREPLACE) != 0)
    {
      if (errno == EEXIST)
        return TRUE;          /* freeing drops ours */
      if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
        {
          set_errno_error (error, errno, MSG_WRITE, f->path);
          return FALSE;
        }
      /* No RENAME_NOREPLACE here: link () fails the same way on EEXIST. */
      if (link (f->temp, f->path) != 0)
        {
          if (errno == EEXIST)
            return TRUE;
          set_errno_error (error, errno, MSG_WRITE, f->path);
          return FALSE;
        }
      g_unlink (f->temp);
    }
  g_clear_pointer (&f->temp, g_free);
  f->committed = TRUE;
  dir = g_path_get_dirname (f->path);
  sync_dir (dir);
  return TRUE;
}

gboolean
traj_safe_file_is_committed (TrajSafeFile *f)
{
  g_return_val_if_fail (f != NULL, FALSE);
  return f->committed;
}

void
traj_safe_file_free (TrajSafeFile *f)
{
  if (f == NULL)
    return;
  if (f->fd >= 0)
    close (f->fd);
  if (f->temp && !(f->in_set && f->committed))
    g_unlink (f->temp);
  g_free (f->temp);
  g_free (f->path);
  g_free (f);
}

gboolean
traj_safe_file_set_contents (const char *path, const char *contents, gssize length, GError **error)
{
  g_autoptr(TrajSafeFile) f = traj_safe_file_new (path, error);

  if (f == NULL)
    return FALSE;
  return traj_safe_file_write (f, contents, length < 0 ? strlen (contents) : (gsize) length, error) &&
         traj_safe_file_commit (f, error);
}

/* ---- a set of files ---------------------------------------------------------------- */

/* The entries of @dir not in @names, as a comma-separated list; "" when none. */
static char *
foreign_entries (const char *dir, const char * const *names, GError **error)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, error);
  g_autoptr(GString) out = g_string_new (NULL);
  const char *entry;

  if (d == NULL)
    return NULL;
  while ((entry = g_dir_read_name (d)) != NULL)
    if (!g_strv_contains (names, entry))
      g_string_append_printf (out, "%s%s", out->len ? ", " : "", entry);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
remove_set (const char *dir, const char * const *names)
{
  for (guint k = 0; names[k]; k++)
    {
      g_autofree char *p = g_build_filename (dir, names[k], NULL);
      g_unlink (p);
    }
  /* And the files of an unfinished add. */
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *entry;

    while (d && (entry = g_dir_read_name (d)) != NULL)
      if (g_str_has_suffix (entry, ".part"))
        {
          g_autofree char *p = g_build_filename (dir, entry, NULL);
          g_unlink (p);
        }
  }
  if (g_rmdir (dir) != 0)
    g_warning ("Could not remove the folder %s: %s", dir, g_strerror (errno));
}

static gboolean
check_dir_target (const char *path, const char * const *names, GError **error)
{
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *others = NULL;
  struct stat st;

  if (lstat (path, &st) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      set_errno_error (error, errno, MSG_WRITE_INTO, path);
      return FALSE;
    }
  if (S_ISLNK (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   _("“%s” is a symbolic link, and nothing is written through a link. Choose the folder itself."),
                   display);
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY, _("“%s” is not a folder."), display);
      return FALSE;
    }
  others = foreign_entries (path, names, error);
  if (others == NULL)
    return FALSE;
  if (*others)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” holds other files (%s). Choose an empty folder or a new one: "
                     "the export replaces the whole folder."), display, others);
      return FALSE;
    }
  return TRUE;
}

TrajSafeDir *
traj_safe_dir_new (const char *path, const char * const *names, GError **error)
{
  g_autoptr(TrajSafeDir) d = g_new0 (TrajSafeDir, 1);
  g_autofree char *base = NULL;

  g_return_val_if_fail (path != NULL && names != NULL, NULL);

  d->path = g_strdup (path);
  d->names = g_strdupv ((char **) names);
  d->files = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_safe_file_free);
  if (!check_dir_target (path, names, error))
    return NULL;
  d->parent = g_path_get_dirname (path);
  if (g_mkdir_with_parents (d->parent, 0700) != 0)
    {
      set_errno_error (error, errno, MSG_CREATE_FOLDER, d->parent);
      return NULL;
    }
  base = g_path_get_basename (path);
  sweep_gone_temps (d->parent, base);
  {
    g_autofree char *prefix = temp_prefix (d->parent, base);
    d->temp = g_strconcat (prefix, "XXXXXX.part", NULL);
  }
  if (g_mkdtemp_full (d->temp, 0700) == NULL)
    {
      set_errno_error (error, errno, MSG_CREATE_FOLDER_BESIDE, path);
      g_clear_pointer (&d->temp, g_free);
      return NULL;
    }
  return g_steal_pointer (&d);
}

TrajSafeFile *
traj_safe_dir_add_file (TrajSafeDir *d, const char *name, GError **error)
{
  TrajSafeFile *f;

  g_return_val_if_fail (d != NULL && !d->committed, NULL);
  g_return_val_if_fail (g_strv_contains ((const char * const *) d->names, name), NULL);

  f = g_new0 (TrajSafeFile, 1);
  f->path = g_build_filename (d->path, name, NULL);
  f->temp = g_build_filename (d->temp, name, NULL);
  f->in_set = TRUE;
  f->fd = open (f->temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (f->fd < 0)
    {
      set_errno_error (error, errno, MSG_WRITE, f->path);
      g_clear_pointer (&f->temp, g_free);
      traj_safe_file_free (f);
      return NULL;
    }
  fchmod (f->fd, 0600);
  g_ptr_array_add (d->files, f);
  return f;
}

gboolean
traj_safe_dir_commit (TrajSafeDir *d, GError **error)
{
  g_return_val_if_fail (d != NULL && !d->committed, FALSE);

  for (guint k = 0; k < d->files->len; k++)
    g_return_val_if_fail (((TrajSafeFile *) g_ptr_array_index (d->files, k))->committed, FALSE);

  sync_dir (d->temp);
  /* Checked again: nothing of a person's may be swapped away. */
  if (!check_dir_target (d->path, (const char * const *) d->names, error))
    return FALSE;
  if (rename (d->temp, d->path) != 0)
    {
      if (errno != EEXIST && errno != ENOTEMPTY)
        {
          set_errno_error (error, errno, MSG_WRITE_INTO, d->path);
          return FALSE;
        }
      /* An earlier export is there: swap the two folders in one step, then
       * remove the old files (now at the temporary name). */
      if (renameat2 (AT_FDCWD, d->temp, AT_FDCWD, d->path, RENAME_EXCHANGE) != 0)
        {
          g_autofree char *base = g_path_get_basename (d->path);
          g_autofree char *old = NULL;

          if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
            {
              set_errno_error (error, errno, MSG_WRITE_INTO, d->path);
              return FALSE;
            }
          /* A file system without the exchange: the old folder moves aside
           * first. The files never appear half written either way. */
          old = g_strdup_printf ("%s%s.%s.XXXXXX.old", d->parent, G_DIR_SEPARATOR_S, base);
          if (g_mkdtemp_full (old, 0700) == NULL || g_rmdir (old) != 0 ||
              rename (d->path, old) != 0)
            {
              set_errno_error (error, errno, MSG_WRITE_INTO, d->path);
              return FALSE;
            }
          if (rename (d->temp, d->path) != 0)
            {
              int saved = errno;
              rename (old, d->path);
              set_errno_error (error, saved, MSG_WRITE_INTO, d->path);
              return FALSE;
            }
          g_free (d->temp);
          d->temp = g_steal_pointer (&old);
        }
      remove_set (d->temp, (const char * const *) d->names);
    }
  g_clear_pointer (&d->temp, g_free);
  d->committed = TRUE;
  sync_dir (d->parent);
  return TRUE;
}

void
traj_safe_dir_free (TrajSafeDir *d)
{
  if (d == NULL)
    return;
  if (d->files)
    g_ptr_array_unref (d->files);
  if (d->temp && !d->committed)
    remove_set (d->temp, (const char * const *) d->names);
  g_free (d->temp);
  g_free (d->parent);
  g_free (d->path);
  g_strfreev (d->names);
  g_free (d);
}
