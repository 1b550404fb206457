namespace Caas.Web.Cli;

/// <summary>The API answered 401: no token, or one it no longer accepts. Message is the API's detail.</summary>
public sealed class NotLoggedInException(string message) : Exception(message);
