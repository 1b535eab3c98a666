using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Chorus.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Pr2 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "MailboxId",
                table: "PublishingChannels",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "PersonListId",
                table: "PublishingChannels",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "NewsletterOptOuts",
                columns: table => new
                {
                    PersonId = table.Column<Guid>(type: "uuid", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ChannelId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NewsletterOptOuts", x => x.PersonId);
                    table.ForeignKey(
                        name: "FK_NewsletterOptOuts_People_PersonId",
                        column: x => x.PersonId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PostEngagements",
                columns: table => new
                {
                    DeliveryId = table.Column<Guid>(type: "uuid", nullable: false),
                    PostId = table.Column<Guid>(type: "uuid", nullable: false),
                    ChannelId = table.Column<Guid>(type: "uuid", nullable: false),
                    Replies = table.Column<int>(type: "integer", nullable: false),
                    Boosts = table.Column<int>(type: "integer", nullable: false),
                    Favourites = table.Column<int>(type: "integer", nullable: false),
                    PolledAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    NextPollAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Failures = table.Column<int>(type: "integer", nullable: false),
                    LastError = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    StoppedReason = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    LeaseOwner = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    LeaseUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PostEngagements", x => x.DeliveryId);
                    table.ForeignKey(
                        name: "FK_PostEngagements_PostDeliveries_DeliveryId",
                        column: x => x.DeliveryId,
                        principalTable: "PostDeliveries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PostEngagements_ChannelId",
                table: "PostEngagements",
                column: "ChannelId");

            migrationBuilder.CreateIndex(
                name: "IX_PostEngagements_PostId",
                table: "PostEngagements",
                column: "PostId");

            migrationBuilder.CreateIndex(
                name: "IX_PostEngagements_StoppedReason_NextPollAt",
                table: "PostEngagements",
                columns: new[] { "StoppedReason", "NextPollAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "NewsletterOptOuts");

            migrationBuilder.DropTable(
                name: "PostEngagements");

            migrationBuilder.DropColumn(
                name: "MailboxId",
                table: "PublishingChannels");

            migrationBuilder.DropColumn(
                name: "PersonListId",
                table: "PublishingChannels");
        }
    }
}
