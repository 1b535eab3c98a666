using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Sqlite
{
    /// Search matches any part of a person's name or handle ("kafor" finds Okafor). With LIKE '%…%' that
    /// read every person and every identity on every search: a quarter of a search's time at 100,000 people.
    /// An FTS5 trigram table answers the same LIKE from an index. Rows: each unmerged person's name
    /// (rowid = 2 × the person's rowid) and each identity's handle (2 × its rowid + 1), kept by triggers.
    /// SQL only: the EF model does not change.
    [DbContext(typeof(SqliteChorusDb))]
    [Migration("20261129184500_PersonSearch")]
    public partial class PersonSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "PersonSearch" USING fts5("PersonId" UNINDEXED, "Text", tokenize='trigram');
                INSERT INTO "PersonSearch"(rowid, "PersonId", "Text") SELECT rowid * 2, "Id", "Name" FROM "People" WHERE "MergedIntoId" IS NULL;
                INSERT INTO "PersonSearch"(rowid, "PersonId", "Text") SELECT rowid * 2 + 1, "PersonId", "Handle" FROM "Identities";
                CREATE TRIGGER "People_search_insert" AFTER INSERT ON "People" WHEN new."MergedIntoId" IS NULL BEGIN
                    INSERT INTO "PersonSearch"(rowid, "PersonId", "Text") VALUES (new.rowid * 2, new."Id", new."Name");
                END;
                CREATE TRIGGER "People_search_update" AFTER UPDATE OF "Name", "MergedIntoId" ON "People" BEGIN
                    DELETE FROM "PersonSearch" WHERE rowid = old.rowid * 2;
                    INSERT INTO "PersonSearch"(rowid, "PersonId", "Text") SELECT new.rowid * 2, new."Id", new."Name" WHERE new."MergedIntoId" IS NULL;
                END;
                CREATE TRIGGER "People_search_delete" AFTER DELETE ON "People" BEGIN
                    DELETE FROM "PersonSearch" WHERE rowid = old.rowid * 2;
                END;
                CREATE TRIGGER "Identities_search_insert" AFTER INSERT ON "Identities" BEGIN
                    INSERT INTO "PersonSearch"(rowid, "PersonId", "Text") VALUES (new.rowid * 2 + 1, new."PersonId", new."Handle");
                END;
                CREATE TRIGGER "Identities_search_update" AFTER UPDATE OF "Handle", "PersonId" ON "Identities" BEGIN
                    DELETE FROM "PersonSearch" WHERE rowid = old.rowid * 2 + 1;
                    INSERT INTO "PersonSearch"(rowid, "PersonId", "Text") VALUES (new.rowid * 2 + 1, new."PersonId", new."Handle");
                END;
                CREATE TRIGGER "Identities_search_delete" AFTER DELETE ON "Identities" BEGIN
                    DELETE FROM "PersonSearch" WHERE rowid = old.rowid * 2 + 1;
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "People_search_insert"; DROP TRIGGER "People_search_update"; DROP TRIGGER "People_search_delete";
                DROP TRIGGER "Identities_search_insert"; DROP TRIGGER "Identities_search_update"; DROP TRIGGER "Identities_search_delete";
                DROP TABLE "PersonSearch";
                """);
        }
    }
}
