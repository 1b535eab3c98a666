using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RequesterKind : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RequesterKind",
                table: "Conversations",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "Customer");

            // The database keeps the copy in step, whichever code path writes: a new conversation, or one whose
            // requester changes (merges), takes its requester's kind before it is written, and a person's new kind
            // reaches all of theirs. (A conversation inserted while its requester's kind changes in a concurrent,
            // not yet committed transaction keeps the kind its insert read: locking the person on every insert
            // would serialize ingest with profile edits for a window of milliseconds.)
            migrationBuilder.Sql("""
                UPDATE "Conversations" c SET "RequesterKind" = p."Kind" FROM "People" p WHERE p."Id" = c."RequesterId";
                CREATE FUNCTION chorus_conversation_requester_kind() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    SELECT "Kind" INTO NEW."RequesterKind" FROM "People" WHERE "Id" = NEW."RequesterId";
                    RETURN NEW;
                END $$;
                CREATE TRIGGER "Conversations_requester_kind" BEFORE INSERT OR UPDATE OF "RequesterId" ON "Conversations"
                    FOR EACH ROW EXECUTE FUNCTION chorus_conversation_requester_kind();
                CREATE FUNCTION chorus_people_kind() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "Conversations" SET "RequesterKind" = NEW."Kind" WHERE "RequesterId" = NEW."Id";
                    RETURN NULL;
                END $$;
                CREATE TRIGGER "People_kind_update" AFTER UPDATE OF "Kind" ON "People"
                    FOR EACH ROW WHEN (OLD."Kind" IS DISTINCT FROM NEW."Kind") EXECUTE FUNCTION chorus_people_kind();
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_RequesterKind_Status_LastMessageAt",
                table: "Conversations",
                columns: new[] { "RequesterKind", "Status", "LastMessageAt" },
                filter: "\"RequesterKind\" <> 'Customer'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "Conversations_requester_kind" ON "Conversations"; DROP FUNCTION chorus_conversation_requester_kind();
                DROP TRIGGER "People_kind_update" ON "People"; DROP FUNCTION chorus_people_kind();
                """);

            migrationBuilder.DropIndex(
                name: "IX_Conversations_RequesterKind_Status_LastMessageAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "RequesterKind",
                table: "Conversations");
        }
    }
}
