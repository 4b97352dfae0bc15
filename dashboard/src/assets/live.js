// Reloads the [data-live] sections of the page when the node reports a
// change; forms outside those sections keep what the user typed, and a
// section that holds the focus (a form field, a link) waits for the next
// change, so the focus never moves. The polite status line (#live-status,
// aria-live) says that the page changed and when (24-hour clock), and
// only when a section's content did change: a finished sync round that
// brought nothing also sends a change event, and would be announced every
// half minute. Sections marked data-quiet (sync times) are swapped but
// not announced. The page is fetched again from its data-src (a refused
// form's page stands at a POST-only address), else from the address bar.
(function(){if(!window.EventSource||!window.fetch)return;var es=new EventSource('/events'),busy=false;
es.addEventListener('change',function(){if(busy)return;busy=true;setTimeout(function(){
var f=document.querySelector('[data-live][data-src]');
fetch(f?f.getAttribute('data-src'):location.href,{credentials:'same-origin'}).then(function(r){return r.ok?r.text():null}).then(function(t){busy=false;if(!t)return;
var d=new DOMParser().parseFromString(t,'text/html');
var a=document.activeElement,changed=false;
document.querySelectorAll('[data-live]').forEach(function(el){var n=d.getElementById(el.id);if(!n||n.outerHTML===el.outerHTML)return;if(!el.hasAttribute('data-quiet'))changed=true;if(a&&a!==document.body&&el.contains(a))return;el.replaceWith(n);});
if(!changed)return;
var s=document.getElementById('live-status');if(s)s.textContent=s.getAttribute('data-updated')+' '+new Date().toLocaleTimeString('de-DE',{hour12:false});
}).catch(function(){busy=false;});},250);});})();
