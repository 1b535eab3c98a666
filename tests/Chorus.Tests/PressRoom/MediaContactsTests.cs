using System.Net;
using System.Text.Json;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests.PressRoom;

/// Media contacts: journalists (people of kind press) with outlet, beats and notes, media lists, and the
/// CSV import with its preview, through the API on both databases.
public class MediaContactsTests
{
    private static string Csv => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "press", "media-contacts.csv"));

    [Theory, Providers]
    public async Task The_preview_lists_each_bad_row_in_plain_words_and_imports_nothing(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "PR");

        var preview = await (await agent.PostAsync("/api/v1/media-contacts/import/preview", new { csv = Csv })).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(5, preview.GetProperty("good").GetInt32());
        Assert.Equal(3, preview.GetProperty("bad").GetInt32());
        var problems = preview.GetProperty("fileProblems").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Contains(problems, p => p.StartsWith("Unknown column \"Twitter\": it is ignored"));
        var rows = preview.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("line").GetInt32());
        string Errors(int line) => string.Join(" ", rows[line].GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("No e-mail address.", Errors(5));                                  // Jonas Weber
        Assert.Equal("\"lena.ortiz(at)arcadeweekly.example.test\" is not an e-mail address.", Errors(6));
        Assert.Equal("Duplicate in the file: the same e-mail address as line 2.", Errors(8)); // Maya again, other capitals
        Assert.Equal("", Errors(2));
        Assert.Equal("create", rows[2].Str("action"));
        Assert.Equal("Chen, Wei", rows[7].Str("name"));                                  // a quoted comma stays in the cell
        Assert.Equal(["esports", "business"], rows[7].GetProperty("beats").EnumerateArray().Select(b => b.GetString()!).ToArray());

        // A preview writes nothing.
        Assert.Equal(0, (await (await agent.GetAsync("/api/v1/media-contacts")).JsonAsync(HttpStatusCode.OK)).GetArrayLength());
    }

    [Theory, Providers]
    public async Task Importing_adds_the_good_rows_matches_known_people_by_address_and_a_second_import_changes_nothing(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "PR");
        // Tomás wrote in before, as a customer: the import makes him press, it does not add a second Tomás.
        var earlier = await agent.DeliverAsync("tomas-1", handle: "tomas@gamewire.example.test", name: "Tomas F", text: "When does the handheld ship?");
        var list = await (await agent.PostAsync("/api/v1/media-lists", new { name = "Games press, EU", description = "Launch coverage" })).JsonAsync(HttpStatusCode.Created);
        var listId = list.GetProperty("id").GetGuid();

        var preview = await (await agent.PostAsync("/api/v1/media-contacts/import/preview", new { csv = Csv })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("update", preview.GetProperty("rows").EnumerateArray().Single(r => r.Str("email") == "tomas@gamewire.example.test").Str("action"));

        var result = await (await agent.PostAsync("/api/v1/media-contacts/import", new { csv = Csv, listId })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(4, result.GetProperty("created").GetInt32());
        Assert.Equal(1, result.GetProperty("updated").GetInt32());
        Assert.Equal(0, result.GetProperty("unchanged").GetInt32());
        Assert.Equal(5, result.GetProperty("addedToList").GetInt32());
        Assert.Equal([5, 6, 8], result.GetProperty("skipped").EnumerateArray().Select(s => s.GetProperty("line").GetInt32()).ToArray());

        var contacts = await (await agent.GetAsync("/api/v1/media-contacts")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["Ana Kovač", "Chen, Wei", "Maya Lindqvist", "Priya Raman", "Tomás Ferreira"],
            contacts.EnumerateArray().Select(c => c.Str("name")).ToArray());
        var tomas = contacts.EnumerateArray().Single(c => c.Str("name") == "Tomás Ferreira");
        Assert.Equal(earlier.PersonId, tomas.GetProperty("personId").GetGuid());
        // His organization came from his address's domain when he wrote in; the outlet is matched to it, not added again.
        Assert.Equal("GameWire", tomas.Str("outlet"), ignoreCase: true);
        Assert.Equal(["hardware", "handhelds"], tomas.GetProperty("beats").EnumerateArray().Select(b => b.GetString()!).ToArray());
        Assert.Equal("Reviews on Thursdays", tomas.Str("notes"));
        Assert.Equal(["Games press, EU"], tomas.GetProperty("lists").EnumerateArray().Select(l => l.GetString()!).ToArray());
        Assert.NotEqual(JsonValueKind.Null, tomas.GetProperty("lastContactAt").ValueKind); // he wrote in
        var maya = contacts.EnumerateArray().Single(c => c.Str("name") == "Maya Lindqvist");
        Assert.Equal(JsonValueKind.Null, maya.GetProperty("lastContactAt").ValueKind);
        Assert.Equal("Prefers embargoed copies, 48 h ahead", maya.Str("notes"));
        var person = await (await agent.GetAsync($"/api/v1/people/{earlier.PersonId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Press", person.Str("kind"));

        // The same file again: nobody new, nothing changed, the same rows skipped.
        var again = await (await agent.PostAsync("/api/v1/media-contacts/import", new { csv = Csv, listId })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal((0, 0, 5, 0), (again.GetProperty("created").GetInt32(), again.GetProperty("updated").GetInt32(), again.GetProperty("unchanged").GetInt32(), again.GetProperty("addedToList").GetInt32()));
        Assert.Equal(3, again.GetProperty("skipped").GetArrayLength());
        Assert.Equal(5, (await (await agent.GetAsync("/api/v1/media-contacts")).JsonAsync(HttpStatusCode.OK)).GetArrayLength());
        Assert.Equal(5, (await (await agent.GetAsync($"/api/v1/media-lists/{listId}")).JsonAsync(HttpStatusCode.OK)).GetProperty("members").GetArrayLength());
        var people = await (await agent.GetAsync("/api/v1/people?q=gamewire")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, people.GetArrayLength());
    }

    [Theory, Providers]
    public async Task A_file_without_good_rows_or_without_an_email_column_is_refused_and_nothing_is_written(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "PR");

        var noEmail = await (await agent.PostAsync("/api/v1/media-contacts/import", new { csv = "name,outlet\nMaya,Pixel Post\n" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("Line 2: No e-mail address.", noEmail.Str("detail"));
        var preview = await (await agent.PostAsync("/api/v1/media-contacts/import/preview", new { csv = "name,outlet\nMaya,Pixel Post\n" })).JsonAsync(HttpStatusCode.OK);
        Assert.StartsWith("There is no e-mail column", preview.GetProperty("fileProblems")[0].GetString());
        var empty = await (await agent.PostAsync("/api/v1/media-contacts/import/preview", new { csv = "  " })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("The file is empty", empty.Str("detail"));
        var semicolons = await (await agent.PostAsync("/api/v1/media-contacts/import/preview", new { csv = "Name;Email;Outlet\r\nJo Ma;jo@mag.example.test;Mag, Inc\r\n" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Mag, Inc", semicolons.GetProperty("rows")[0].Str("outlet")); // Excel's European CSV

        Assert.Equal(0, (await (await agent.GetAsync("/api/v1/media-contacts")).JsonAsync(HttpStatusCode.OK)).GetArrayLength());
        var viewer = await app.StaffAsync("viewer");
        await (await viewer.PostAsync("/api/v1/media-contacts/import", new { csv = Csv })).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Theory, Providers]
    public async Task Journalists_are_added_edited_searched_and_grouped_in_media_lists(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "PR");
        var created = await (await agent.PostAsync("/api/v1/media-contacts", new
        {
            name = "Ines Duarte", email = "Ines@Retrofeed.example.test", outlet = "RetroFeed", beats = new[] { "retro games", "hardware" }, notes = "Call before noon",
        })).JsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("contact").GetProperty("personId").GetGuid();
        Assert.Equal("ines@retrofeed.example.test", created.GetProperty("contact").Str("emailAddress"));

        // The same address again is the same journalist.
        var again = await (await agent.PostAsync("/api/v1/media-contacts", new { name = "Ines D.", email = "ines@retrofeed.example.test" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(id, again.GetProperty("contact").GetProperty("personId").GetGuid());

        var bad = await (await agent.PostAsync("/api/v1/media-contacts", new { name = "No Mail" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("No e-mail address.", bad.GetProperty("errors").GetProperty("email")[0].GetString());

        var edited = await (await agent.PatchAsync($"/api/v1/media-contacts/{id}", new { beats = new[] { "retro games", "esports" }, outlet = "Retro Feed Weekly" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Retro Feed Weekly", edited.GetProperty("contact").Str("outlet"));
        Assert.Equal("Call before noon", edited.GetProperty("contact").Str("notes"));

        Assert.Equal(1, (await (await agent.GetAsync("/api/v1/media-contacts?q=esports")).JsonAsync(HttpStatusCode.OK)).GetArrayLength());
        Assert.Equal(1, (await (await agent.GetAsync("/api/v1/media-contacts?q=weekly")).JsonAsync(HttpStatusCode.OK)).GetArrayLength());
        Assert.Equal(0, (await (await agent.GetAsync("/api/v1/media-contacts?q=cooking")).JsonAsync(HttpStatusCode.OK)).GetArrayLength());

        // Only journalists go on a media list.
        var customer = await agent.DeliverAsync("c-1", handle: "buyer@shop.example.test", name: "A Buyer");
        var list = (await (await agent.PostAsync("/api/v1/media-lists", new { name = "Retro beat" })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var added = await (await agent.PostAsync($"/api/v1/media-lists/{list}/members", new { personIds = new[] { id, customer.PersonId } })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, added.GetProperty("added").GetInt32());
        Assert.Equal(customer.PersonId, added.GetProperty("notJournalists")[0].GetGuid());
        await (await agent.PostAsync("/api/v1/media-lists", new { name = "Retro beat" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(1, (await (await agent.GetAsync($"/api/v1/media-contacts?listId={list}")).JsonAsync(HttpStatusCode.OK)).GetArrayLength());
        Assert.Equal(HttpStatusCode.NoContent, (await agent.Http.DeleteAsync($"/api/v1/media-lists/{list}/members/{id}")).StatusCode);
        Assert.Equal(0, (await (await agent.GetAsync($"/api/v1/media-lists/{list}")).JsonAsync(HttpStatusCode.OK)).GetProperty("members").GetArrayLength());
    }
}
