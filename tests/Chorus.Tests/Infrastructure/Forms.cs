using System.Net;
using System.Text.RegularExpressions;

namespace Chorus.Tests.Infrastructure;

/// Drives the static server-rendered forms (contact, sign-in, requester reply) like a browser
/// without JavaScript: GET the page, read its hidden fields, POST the form back.
public static partial class Forms
{
    /// The hidden inputs of the first form on the page (antiforgery token, _handler, request id...).
    public static Dictionary<string, string> HiddenFields(string html)
    {
        var fields = new Dictionary<string, string>();
        foreach (Match input in InputTag().Matches(html))
        {
            var tag = input.Value;
            if (!tag.Contains("type=\"hidden\"", StringComparison.OrdinalIgnoreCase)) continue;
            var name = NameAttr().Match(tag);
            var value = ValueAttr().Match(tag);
            if (name.Success) fields.TryAdd(WebUtility.HtmlDecode(name.Groups[1].Value), value.Success ? WebUtility.HtmlDecode(value.Groups[1].Value) : "");
        }
        return fields;
    }

    public const string AntiforgeryField = "__RequestVerificationToken";

    /// GETs a form page and returns its hidden fields.
    public static async Task<Dictionary<string, string>> OpenAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var fields = HiddenFields(await response.Content.ReadAsStringAsync());
        Assert.True(fields.ContainsKey(AntiforgeryField), $"{path} has no antiforgery field");
        return fields;
    }

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, IDictionary<string, string> fields) =>
        client.PostAsync(path, new FormUrlEncodedContent(fields));

    /// The fields of the contact form, filled in.
    public static Dictionary<string, string> Contact(Dictionary<string, string> hidden, string name = "Rita Requester", string email = "rita@requester.test",
        string subject = "Cannot sign in", string message = "I cannot sign in since yesterday.", string website = "")
    {
        var f = new Dictionary<string, string>(hidden)
        {
            ["Input.Name"] = name, ["Input.Email"] = email, ["Input.Subject"] = subject, ["Input.Message"] = message, ["Input.Website"] = website,
        };
        return f;
    }

    [GeneratedRegex(@"<input\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();
    [GeneratedRegex(@"\bname=""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex NameAttr();
    [GeneratedRegex(@"\bvalue=""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex ValueAttr();
}
