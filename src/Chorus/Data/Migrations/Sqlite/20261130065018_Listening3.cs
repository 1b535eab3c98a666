using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Listening3 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "DoneAutomatically",
                table: "IncidentChecklistItems",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Step",
                table: "IncidentChecklistItems",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            // Existing incidents' default items tick themselves from now on too.
            migrationBuilder.Sql("UPDATE \"IncidentChecklistItems\" SET \"Step\" = 'statement-drafted' WHERE \"Text\" = 'Draft the statement'");
            migrationBuilder.Sql("UPDATE \"IncidentChecklistItems\" SET \"Step\" = 'statement-approved' WHERE \"Text\" = 'Get the statement approved'");
            migrationBuilder.Sql("UPDATE \"IncidentChecklistItems\" SET \"Step\" = 'statement-posted' WHERE \"Text\" = 'Post the statement to the threads'");
            migrationBuilder.Sql("UPDATE \"IncidentChecklistItems\" SET \"Step\" = 'macro-saved' WHERE \"Text\" = 'Brief Support: the statement is a macro'");
            migrationBuilder.Sql("UPDATE \"IncidentChecklistItems\" SET \"Step\" = 'resolved' WHERE \"Text\" = 'Watch the volume come down, then resolve'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DoneAutomatically",
                table: "IncidentChecklistItems");

            migrationBuilder.DropColumn(
                name: "Step",
                table: "IncidentChecklistItems");
        }
    }
}
