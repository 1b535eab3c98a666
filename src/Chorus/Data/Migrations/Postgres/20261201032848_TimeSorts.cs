using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TimeSorts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Conversations_Status_SlaDueAt_Number",
                table: "Conversations",
                columns: new[] { "Status", "SlaDueAt", "Number" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_Status_WaitingSince_Number",
                table: "Conversations",
                columns: new[] { "Status", "WaitingSince", "Number" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Conversations_Status_SlaDueAt_Number",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_Status_WaitingSince_Number",
                table: "Conversations");
        }
    }
}
