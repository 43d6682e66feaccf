// The photo steps: one step at a time, the webcam through getUserMedia, a file input as the
// fallback. A captured picture is put into the step's file input, so the form posts the same
// way with or without a camera (and without JavaScript all steps show, with file inputs).
(function () {
  "use strict";
  var form = document.getElementById("verification-form");
  if (!form) { return; }
  var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
  var stream = null;
  var submitting = false;

  function stopCamera() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
  }

  function hasFile(step) {
    var input = step.querySelector("input[type=file]");
    return Boolean(input && input.files && input.files.length);
  }

  function showPreview(step) {
    var input = step.querySelector("input[type=file]");
    var img = step.querySelector("img.preview");
    var next = step.querySelector("button.next");
    if (!input || !img) { return; }
    if (input.files && input.files.length) {
      if (img.src) { URL.revokeObjectURL(img.src); }
      img.src = URL.createObjectURL(input.files[0]);
      img.hidden = false;
    }
    if (next) { next.disabled = !hasFile(step); }
  }

  function startCamera(step) {
    var camera = step.querySelector(".camera");
    var missing = step.querySelector(".no-camera");
    if (!camera) { return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      missing.hidden = false;
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: true, audio: false }).then(function (media) {
      stream = media;
      var video = camera.querySelector("video");
      video.srcObject = media;
      camera.hidden = false;
      missing.hidden = true;
    }).catch(function () {
      camera.hidden = true;
      missing.hidden = false;
    });
  }

  function capture(step) {
    var video = step.querySelector("video");
    var input = step.querySelector("input[type=file]");
    if (!video || !video.videoWidth) { return; }
    var canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    canvas.toBlob(function (blob) {
      var transfer = new DataTransfer();
      transfer.items.add(new File([blob], input.name + ".jpg", { type: "image/jpeg" }));
      input.files = transfer.files;
      showPreview(step);
    }, "image/jpeg", 0.92);
  }

  function show(index) {
    stopCamera();
    steps.forEach(function (step, i) { step.hidden = i !== index; });
    var step = steps[index];
    var heading = step.querySelector("h2");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
    if (step.querySelector(".camera")) {
      startCamera(step);
      showPreview(step);
    } else {
      var review = step.querySelector(".review-photos");
      review.querySelector(".review-face").src = steps[0].querySelector("img.preview").src;
      review.querySelector(".review-id").src = steps[1].querySelector("img.preview").src;
      review.hidden = false;
    }
  }

  steps.forEach(function (step, index) {
    var nav = step.querySelector(".step-nav");
    if (nav) { nav.hidden = false; }
    var back = step.querySelector("button.back");
    if (back) {
      back.hidden = false;
      back.addEventListener("click", function () { show(index - 1); });
    }
    var next = step.querySelector("button.next");
    if (next) { next.addEventListener("click", function () { if (hasFile(step)) { show(index + 1); } }); }
    var take = step.querySelector("button.capture");
    if (take) { take.addEventListener("click", function () { capture(step); }); }
    var input = step.querySelector("input[type=file]");
    if (input) { input.addEventListener("change", function () { showPreview(step); }); }
  });

  form.addEventListener("submit", function (event) {
    if (submitting) { event.preventDefault(); return; }
    submitting = true;
    stopCamera();
    form.querySelector("#submit-photos").disabled = true;
  });

  show(0);
}());
