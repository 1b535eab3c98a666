using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PriorityIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Conversations_Priority_Status_LastMessageAt",
                table: "Conversations",
                columns: new[] { "Priority", "Status", "LastMessageAt" },
                filter: "\"Priority\" <> 'Normal'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Conversations_Priority_Status_LastMessageAt",
                table: "Conversations");
        }
    }
}
