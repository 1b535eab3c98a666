using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Sqlite
{
    /// Message text is indexed for search after it is stored, not inside the ingest transaction:
    /// tokenizing it was three quarters of what writing a message cost. A new or edited message is
    /// queued in "MessageSearchPending" (by rowid) and IndexMessages moves the queue into the FTS5
    /// table in the background; until then search reads the queued messages directly. A message
    /// deleted while queued is simply dropped from the queue (FTS5 must never be told to delete a row
    /// it never indexed). SQL only: the EF model does not change.
    [DbContext(typeof(SqliteChorusDb))]
    [Migration("20261129183000_DeferredMessageIndex")]
    public partial class DeferredMessageIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE "MessageSearchPending" ("MessageRowId" INTEGER NOT NULL PRIMARY KEY);
                DROP TRIGGER "Messages_search_insert";
                DROP TRIGGER "Messages_search_delete";
                DROP TRIGGER "Messages_search_update";
                CREATE TRIGGER "Messages_search_insert" AFTER INSERT ON "Messages" BEGIN
                    INSERT INTO "MessageSearchPending"("MessageRowId") VALUES (new.rowid);
                END;
                CREATE TRIGGER "Messages_search_delete" AFTER DELETE ON "Messages" BEGIN
                    INSERT INTO "MessageSearch"("MessageSearch", rowid, "Text")
                        SELECT 'delete', old.rowid, old."Text" WHERE NOT EXISTS (SELECT 1 FROM "MessageSearchPending" WHERE "MessageRowId" = old.rowid);
                    DELETE FROM "MessageSearchPending" WHERE "MessageRowId" = old.rowid;
                END;
                CREATE TRIGGER "Messages_search_update" AFTER UPDATE OF "Text" ON "Messages" BEGIN
                    INSERT INTO "MessageSearch"("MessageSearch", rowid, "Text")
                        SELECT 'delete', old.rowid, old."Text" WHERE NOT EXISTS (SELECT 1 FROM "MessageSearchPending" WHERE "MessageRowId" = old.rowid);
                    INSERT OR IGNORE INTO "MessageSearchPending"("MessageRowId") VALUES (new.rowid);
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                INSERT INTO "MessageSearch"(rowid, "Text") SELECT m.rowid, m."Text" FROM "MessageSearchPending" p JOIN "Messages" m ON m.rowid = p."MessageRowId";
                DROP TRIGGER "Messages_search_insert";
                DROP TRIGGER "Messages_search_delete";
                DROP TRIGGER "Messages_search_update";
                DROP TABLE "MessageSearchPending";
                CREATE TRIGGER "Messages_search_insert" AFTER INSERT ON "Messages" BEGIN
                    INSERT INTO "MessageSearch"(rowid, "Text") VALUES (new.rowid, new."Text");
                END;
                CREATE TRIGGER "Messages_search_delete" AFTER DELETE ON "Messages" BEGIN
                    INSERT INTO "MessageSearch"("MessageSearch", rowid, "Text") VALUES ('delete', old.rowid, old."Text");
                END;
                CREATE TRIGGER "Messages_search_update" AFTER UPDATE OF "Text" ON "Messages" BEGIN
                    INSERT INTO "MessageSearch"("MessageSearch", rowid, "Text") VALUES ('delete', old.rowid, old."Text");
                    INSERT INTO "MessageSearch"(rowid, "Text") VALUES (new.rowid, new."Text");
                END;
                """);
        }
    }
}
