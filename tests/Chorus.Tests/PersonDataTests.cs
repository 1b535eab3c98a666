using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests;

/// A person's data on request (export) and on demand gone (erasure), for admins only; erasure keeps
/// the conversations, anonymous, so every report still counts them.
public class PersonDataTests
{
    [Theory, Providers]
    public async Task An_admin_exports_everything_said_with_a_person_but_not_the_teams_internal_notes(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var first = await admin.DeliverAsync("gdpr-1", handle: "zoe@customer.test", name: "Zoe Zed", subject: "Parcel", text: "My parcel never came");
        await admin.DeliverAsync("gdpr-2", handle: "zoe@customer.test", name: "Zoe Zed", subject: "Invoice", text: "Please send the invoice");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/api/v1/conversations/{first.Number}/replies", new { text = "We are on it, Zoe." })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/api/v1/conversations/{first.Number}/notes", new { text = "Courier blames the depot" })).StatusCode);

        var response = await admin.GetAsync($"/api/v1/people/{first.PersonId}/export");
        var export = await response.JsonAsync(HttpStatusCode.OK);
        Assert.StartsWith("attachment", response.Content.Headers.ContentDisposition?.ToString() ?? response.Headers.GetValues("Content-Disposition").First());
        Assert.Equal("Zoe Zed", export.GetProperty("person").GetProperty("name").GetString());
        Assert.Equal("zoe@customer.test", export.GetProperty("identities")[0].GetProperty("value").GetString());
        Assert.Equal(["Invoice", "Parcel"], export.GetProperty("conversations").EnumerateArray().Select(c => c.GetProperty("subject").GetString()!).Order());
        var said = export.GetProperty("conversations").EnumerateArray().SelectMany(c => c.GetProperty("messages").EnumerateArray()).Select(m => m.GetProperty("text").GetString()).ToList();
        Assert.Contains("My parcel never came", said);
        Assert.Contains("We are on it, Zoe.", said);
        Assert.DoesNotContain(said, t => t!.Contains("Courier blames"));

        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetAsync($"/api/v1/people/{first.PersonId}/export")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/people/{Guid.NewGuid()}/export")).StatusCode);
    }

    [Theory, Providers]
    public async Task Erasing_a_person_removes_what_identifies_them_and_keeps_their_conversations_counted(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var first = await admin.DeliverAsync("erase-1", handle: "xavier@customer.test", name: "Xavier Quill", subject: "Quillwork order", text: "My xylophone order is missing");
        await admin.DeliverAsync("erase-2", handle: "xavier@customer.test", name: "Xavier Quill", subject: "Second thing", text: "Another question");
        var form = new MultipartFormDataContent { { new StringContent("Your label."), "text" }, { new ByteArrayContent("label for Xavier"u8.ToArray()), "files", "label.txt" } };
        Assert.Equal(HttpStatusCode.Created, (await admin.Http.PostAsync($"/api/v1/conversations/{first.Number}/replies", form)).StatusCode);
        var file = (await admin.ConversationAsync(first.Number)).GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("attachments").ValueKind == JsonValueKind.Array).SelectMany(m => m.GetProperty("attachments").EnumerateArray()).Single().GetProperty("id").GetGuid();
        var before = (await admin.ListAsync("status=New&status=Open&status=Pending&status=OnHold&status=Solved&status=Closed")).Numbers().Length;

        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsync($"/api/v1/people/{first.PersonId}/erase", new { })).StatusCode);
        var report = await (await admin.PostAsync($"/api/v1/people/{first.PersonId}/erase", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, report.GetProperty("conversations").GetInt32());
        Assert.Equal(1, report.GetProperty("attachmentFiles").GetInt32());

        var person = await (await admin.GetAsync($"/api/v1/people/{first.PersonId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Erased person", person.GetProperty("name").GetString());
        Assert.Empty(person.GetProperty("identities").EnumerateArray());
        var detail = await admin.ConversationAsync(first.Number);
        Assert.Equal("[erased]", detail.Summary().GetProperty("subject").GetString());
        Assert.All(detail.Messages().Where(m => m.Kind is "Inbound" or "Reply"), m => Assert.Equal("[erased]", m.Text));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/attachments/{file}")).StatusCode);
        // Nothing finds them any more...
        Assert.Empty((await admin.ListAsync("q=xylophone")).Numbers());
        var found = await admin.Http.GetFromJsonAsync<JsonElement>("/api/v1/people?q=Xavier");
        Assert.Empty(found.EnumerateArray());
        // ...the conversations still count...
        Assert.Equal(before, (await admin.ListAsync("status=New&status=Open&status=Pending&status=OnHold&status=Solved&status=Closed")).Numbers().Length);
        // ...the erasure is audited without the name...
        var audit = await (await admin.GetAsync("/api/v1/audit")).JsonAsync(HttpStatusCode.OK);
        var entry = audit.EnumerateArray().First(e => e.GetProperty("action").GetString() == "person.erased");
        Assert.DoesNotContain("Xavier", entry.ToString());
        // ...and writing in again makes a new person, not the erased one.
        var again = await admin.DeliverAsync("erase-3", handle: "xavier@customer.test", name: "Xavier Quill", text: "Hello again");
        Assert.NotEqual(first.PersonId, again.PersonId);
    }
}
