using System.Net;
using System.Text.RegularExpressions;
using Ganss.Xss;
using Markdig;

namespace Chorus.Common;

/// One place where outside HTML is made safe and staff Markdown becomes HTML.
public sealed partial class HtmlCleaner
{
    private readonly HtmlSanitizer _sanitizer = new();
    private readonly MarkdownPipeline _markdown = new MarkdownPipelineBuilder().UseAutoLinks().UseSoftlineBreakAsHardlineBreak().DisableHtml().Build();

    public HtmlCleaner()
    {
        _sanitizer.AllowedSchemes.Add("mailto");
        // Remote images leak that a message was read; keep them out of the staff view.
        _sanitizer.AllowedTags.Remove("img");
        _sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { TagName: "A" } a)
            {
                a.SetAttribute("rel", "nofollow noopener noreferrer");
                a.SetAttribute("target", "_blank");
            }
        };
    }

    public string Sanitize(string html) => _sanitizer.Sanitize(html);

    public string MarkdownToHtml(string markdown) => _sanitizer.Sanitize(Markdown.ToHtml(markdown, _markdown));

    /// Plain text of an HTML fragment (for previews, search and the text column).
    public static string ToText(string html)
    {
        var withBreaks = BlockEnd().Replace(html, "\n");
        var stripped = Tags().Replace(withBreaks, "");
        return WebUtility.HtmlDecode(Blank().Replace(stripped, "\n\n")).Trim();
    }

    [GeneratedRegex(@"<\s*(br|/p|/div|/li|/h[1-6]|/tr)\s*/?>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEnd();
    [GeneratedRegex(@"<(script|style)[^>]*>.*?</\1>|<[^>]+>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Tags();
    [GeneratedRegex(@"\n\s*\n\s*(\n\s*)+")]
    private static partial Regex Blank();
}
